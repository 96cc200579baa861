"""The built-in simulated phone (`--device sim`): an Android 14-like phone drawn with Pillow.

Layers, each one job: `state` (what the phone holds) -> `screens` (state to widgets, one frozen
tuple per frame) -> `render` (widgets to pixels) and `widgets.hit` (a point to a widget) ->
`interact` (what a widget's intent does to the state). `phone.SimPhone` ties them to `Device`.
"""

from devices.sim.phone import SimPhone

__all__ = ["SimPhone"]
