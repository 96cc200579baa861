"""Colours and sizes: Material 3 light and dark palettes and the dp/sp scale of the phone."""

from __future__ import annotations

from dataclasses import dataclass

RGB = tuple[int, int, int]

# A Pixel 7 is 1080 px wide at 420 dpi: 411.4 dp across. Scaling from the width keeps every layout
# proportional when a caller asks for another screen size.
DP_ACROSS = 411.43


@dataclass(frozen=True)
class Palette:
    """Material 3 colour roles (the baseline blue scheme Pixel uses without a wallpaper tint)."""

    bg: RGB
    surface: RGB
    surface_high: RGB
    surface_highest: RGB
    on_surface: RGB
    on_surface_variant: RGB
    primary: RGB
    on_primary: RGB
    primary_container: RGB
    on_primary_container: RGB
    secondary_container: RGB
    on_secondary_container: RGB
    outline: RGB
    outline_variant: RGB
    scrim: RGB
    error: RGB
    keyboard: RGB
    key: RGB


LIGHT = Palette(
    bg=(247, 249, 255), surface=(255, 255, 255), surface_high=(233, 237, 246),
    surface_highest=(224, 227, 235), on_surface=(25, 28, 32), on_surface_variant=(67, 71, 78),
    primary=(11, 87, 208), on_primary=(255, 255, 255), primary_container=(211, 227, 253),
    on_primary_container=(4, 30, 73), secondary_container=(194, 231, 255),
    on_secondary_container=(0, 29, 53), outline=(116, 119, 127), outline_variant=(196, 199, 207),
    scrim=(0, 0, 0), error=(179, 38, 30), keyboard=(232, 234, 241), key=(255, 255, 255),
)

DARK = Palette(
    bg=(17, 19, 24), surface=(29, 32, 38), surface_high=(40, 43, 50),
    surface_highest=(51, 54, 61), on_surface=(226, 226, 233), on_surface_variant=(196, 198, 208),
    primary=(168, 199, 250), on_primary=(6, 46, 111), primary_container=(4, 62, 140),
    on_primary_container=(214, 227, 255), secondary_container=(0, 75, 115),
    on_secondary_container=(194, 231, 255), outline=(142, 145, 153),
    outline_variant=(68, 71, 78), scrim=(0, 0, 0), error=(242, 184, 181),
    keyboard=(33, 36, 41), key=(60, 63, 69),
)


@dataclass(frozen=True)
class Theme:
    """Everything about *how* the state is drawn: palette, scale, text settings, screen size."""

    width: int
    height: int
    dark: bool = False
    font_scale: float = 1.0
    bold: bool = False
    high_contrast: bool = False

    @property
    def palette(self) -> Palette:
        return DARK if self.dark else LIGHT

    def dp(self, value: float) -> int:
        """Density-independent pixels to screen pixels."""
        return round(value * self.width / DP_ACROSS)

    def sp(self, value: float) -> int:
        """Text size in pixels: like dp, times the user's font size setting."""
        return round(value * self.width / DP_ACROSS * self.font_scale)

    def color(self, role: str | RGB) -> RGB:
        """A palette role by name, or a literal colour passed through."""
        if isinstance(role, tuple):
            return role
        rgb: RGB = getattr(self.palette, role)
        if self.high_contrast and role in ("on_surface", "on_surface_variant"):
            # High contrast text: Android draws text pure black or white.
            return (255, 255, 255) if self.dark else (0, 0, 0)
        return rgb

    # Fixed chrome heights, in pixels.
    @property
    def status_h(self) -> int:
        return self.dp(40)

    @property
    def nav_h(self) -> int:
        return self.dp(48)
