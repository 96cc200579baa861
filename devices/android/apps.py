"""Names a person (or the model) uses -> Android key codes and app packages."""

from __future__ import annotations

from devices.errors import ActionFailed

# android.view.KeyEvent codes. "delete" is the phone keyboard's delete, which erases backwards.
KEYCODES: dict[str, int] = {
    "home": 3, "back": 4, "call": 5, "endcall": 6, "up": 19, "down": 20, "left": 21, "right": 22,
    "dpad_center": 23, "volume_up": 24, "volume_down": 25, "power": 26, "camera": 27,
    "alt": 57, "shift": 59, "tab": 61, "space": 62, "enter": 66, "return": 66, "delete": 67,
    "backspace": 67, "del": 67, "menu": 82, "notification": 83, "search": 84,
    "media_play_pause": 85, "page_up": 92, "page_down": 93, "escape": 111, "esc": 111,
    "forward_delete": 112, "ctrl": 113, "control": 113, "meta": 117, "move_home": 122,
    "move_end": 123, "volume_mute": 164, "recents": 187, "app_switch": 187, "overview": 187,
    "brightness_down": 220, "brightness_up": 221, "sleep": 223, "wakeup": 224,
    **{chr(c): 29 + c - ord("a") for c in range(ord("a"), ord("z") + 1)},
    **{str(d): 7 + d for d in range(10)},
    **{f"f{n}": 130 + n for n in range(1, 13)},
}


def keycodes(key: str) -> list[int]:
    """"ctrl+a" -> [113, 29]. A number or keycode_xxx name is taken as is."""
    codes = []
    for part in key.strip().lower().split("+"):
        part = part.strip().removeprefix("keycode_")
        if part.isdigit() and len(part) > 1:
            codes.append(int(part))
        elif part in KEYCODES:
            codes.append(KEYCODES[part])
        else:
            raise ActionFailed(f"unknown phone key {part!r} in {key!r}; use e.g. enter, delete, "
                               "back, home, recents, volume_up, ctrl+a")
    return codes


# Labels as people say them -> packages, tried in order. Phone makers ship their own Settings,
# Camera, ... so several packages may stand for one label; the first installed one wins.
KNOWN_APPS: dict[str, tuple[str, ...]] = {
    "settings": ("com.android.settings",),
    "chrome": ("com.android.chrome",),
    "browser": ("com.android.chrome", "com.android.browser", "com.huawei.browser", "com.mi.globalbrowser"),
    "camera": ("com.android.camera", "com.google.android.GoogleCamera", "com.android.camera2", "com.sec.android.app.camera"),
    "phone": ("com.google.android.dialer", "com.android.dialer", "com.samsung.android.dialer"),
    "contacts": ("com.google.android.contacts", "com.android.contacts"),
    "messages": ("com.google.android.apps.messaging", "com.android.mms", "com.samsung.android.messaging"),
    "clock": ("com.google.android.deskclock", "com.android.deskclock", "com.sec.android.app.clockpackage"),
    "calculator": ("com.google.android.calculator", "com.android.calculator2", "com.miui.calculator"),
    "calendar": ("com.google.android.calendar", "com.android.calendar"),
    "photos": ("com.google.android.apps.photos", "com.android.gallery3d", "com.miui.gallery"),
    "gallery": ("com.android.gallery3d", "com.miui.gallery", "com.google.android.apps.photos"),
    "files": ("com.google.android.apps.nbu.files", "com.android.documentsui"),
    "gmail": ("com.google.android.gm",), "maps": ("com.google.android.apps.maps",),
    "play store": ("com.android.vending",), "youtube": ("com.google.android.youtube",),
    "wechat": ("com.tencent.mm",), "qq": ("com.tencent.mobileqq",),
    "alipay": ("com.eg.android.AlipayGphone",), "taobao": ("com.taobao.taobao",),
    "douyin": ("com.ss.android.ugc.aweme",), "tiktok": ("com.zhiliaoapp.musically",),
    "weibo": ("com.sina.weibo",), "bilibili": ("tv.danmaku.bili",), "jd": ("com.jingdong.app.mall",),
    "pinduoduo": ("com.xunmeng.pinduoduo",), "meituan": ("com.sankuai.meituan",),
    "xiaohongshu": ("com.xingin.xhs",), "amap": ("com.autonavi.minimap",),
}
ALIASES = {
    "设置": "settings", "浏览器": "browser", "相机": "camera", "电话": "phone", "联系人": "contacts",
    "通讯录": "contacts", "信息": "messages", "短信": "messages", "时钟": "clock", "计算器": "calculator",
    "日历": "calendar", "相册": "gallery", "图库": "gallery", "照片": "photos", "文件": "files",
    "地图": "maps", "谷歌地图": "maps", "应用商店": "play store", "微信": "wechat", "支付宝": "alipay",
    "淘宝": "taobao", "抖音": "douyin", "微博": "weibo", "哔哩哔哩": "bilibili", "b站": "bilibili",
    "京东": "jd", "拼多多": "pinduoduo", "美团": "meituan", "小红书": "xiaohongshu",
    "高德地图": "amap", "google maps": "maps", "google chrome": "chrome", "dialer": "phone",
    "sms": "messages", "google play": "play store", "play": "play store",
}


def find_package(app: str, installed: list[str]) -> str:
    """The installed package for `app` (a label, an alias or a package name)."""
    wanted = app.strip().lower()
    label = ALIASES.get(wanted, wanted)
    have = set(installed)
    for package in KNOWN_APPS.get(label, ()):
        if package in have:
            return package
    if app.strip() in have:
        return app.strip()
    squashed = label.replace(" ", "")
    guesses = sorted((p for p in installed if squashed and squashed in p.lower()), key=len)
    if guesses:
        return guesses[0]
    raise ActionFailed(f"no app named {app!r} on the phone ({len(installed)} packages looked at); "
                       "open it from the home screen or app drawer instead")
