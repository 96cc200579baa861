"""Android phones over adb (adbutils): capture, input, Unicode typing, UI tree."""

from devices.android.connect import Phone, choose_serial, list_phones, make_client
from devices.android.device import AndroidDevice
from devices.android.geometry import Geometry
from devices.android.text import ADB_IME, KeyboardMissing
from devices.errors import SecureScreen

__all__ = ["ADB_IME", "AndroidDevice", "Geometry", "KeyboardMissing", "Phone", "SecureScreen",
           "choose_serial", "list_phones", "make_client"]
