"""The desktop device (mss + pyautogui) and sandbox X displays (Xvfb)."""

from devices.desktop.device import BACK_KEYS, DesktopDevice
from devices.desktop.xdisplay import VirtualDisplay, local_displays, start_virtual_display

__all__ = ["BACK_KEYS", "DesktopDevice", "VirtualDisplay", "local_displays", "start_virtual_display"]
