"""Fixed content of the phone: the installed apps, the contacts and their message history."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class App:
    key: str  # stable id used in screen ids ("app/youtube")
    en: str  # the name `state()["apps"]` and scenarios use
    zh: str
    color: tuple[int, int, int]
    glyph: str
    dock: bool = False  # dock icons carry no text label, as on a Pixel
    aliases: tuple[str, ...] = ()

    def name(self, lang: str) -> str:
        return self.zh if lang == "zh" else self.en


APPS: tuple[App, ...] = (
    App("settings", "Settings", "设置", (95, 99, 104), "gear"),
    App("notes", "Notes", "备忘录", (245, 180, 0), "note", aliases=("笔记", "Keep", "Keep notes")),
    App("clock", "Clock", "时钟", (26, 115, 232), "clock"),
    App("contacts", "Contacts", "通讯录", (25, 103, 210), "person", aliases=("联系人",)),
    App("calendar", "Calendar", "日历", (66, 133, 244), "calendar"),
    App("gmail", "Gmail", "Gmail", (234, 67, 53), "mail"),
    App("photos", "Photos", "相册", (251, 188, 4), "photos", aliases=("图库", "照片")),
    App("maps", "Maps", "地图", (52, 168, 83), "pin"),
    App("play_store", "Play Store", "Play 商店", (1, 135, 95), "play", aliases=("Google Play",)),
    App("youtube", "YouTube", "YouTube", (255, 0, 0), "play"),
    App("files", "Files", "文件", (66, 133, 244), "folder", aliases=("Files by Google",)),
    App("calculator", "Calculator", "计算器", (90, 103, 216), "calc"),
    App("phone", "Phone", "电话", (30, 142, 62), "phone", dock=True, aliases=("拨号",)),
    App("messages", "Messages", "信息", (26, 115, 232), "bubble", dock=True,
        aliases=("短信", "Messaging", "SMS")),
    App("chrome", "Chrome", "Chrome", (234, 67, 53), "chrome", dock=True,
        aliases=("Google Chrome", "浏览器")),
    App("camera", "Camera", "相机", (60, 64, 67), "camera", dock=True),
)

APP_BY_KEY = {a.key: a for a in APPS}
APP_BY_NAME = {a.en.lower(): a for a in APPS}
# Settings cannot be uninstalled (Android does not offer it for system settings).
SYSTEM_APPS = frozenset({"settings"})


def find_app(name: str) -> App | None:
    """An app by the name a person would use, in English or Chinese, any case."""
    wanted = " ".join(name.split()).lower()
    for app in APPS:
        if wanted in (n.lower() for n in (app.en, app.zh, app.key, *app.aliases)):
            return app
    return None


@dataclass(frozen=True)
class Contact:
    key: str
    en: str
    zh: str
    color: tuple[int, int, int]
    history: tuple[tuple[bool, str, str], ...]  # (incoming, english, chinese)
    time_en: str
    time_zh: str

    def name(self, lang: str) -> str:
        return self.zh if lang == "zh" else self.en


CONTACTS: tuple[Contact, ...] = (
    Contact("mom", "Mom", "妈妈", (219, 68, 55), (
        (True, "Are you coming for dinner on Sunday?", "周日回来吃饭吗？"),
    ), "9:12 AM", "上午9:12"),
    Contact("alex", "Alex Chen", "陈亚历", (15, 157, 88), (
        (False, "Running 10 minutes late", "我会晚到10分钟"),
        (True, "No problem, see you at the cafe", "没问题，咖啡店见"),
    ), "8:47 AM", "上午8:47"),
    Contact("sam", "Sam Taylor", "泰山姆", (171, 71, 188), (
        (True, "Did you get the photos from the trip?", "旅行的照片收到了吗？"),
    ), "Yesterday", "昨天"),
    Contact("dentist", "Dr. Lee Dental", "李医生牙科", (0, 137, 123), (
        (True, "Reminder: your appointment is on Friday at 3 PM. Reply C to confirm.",
         "提醒：您的预约时间为周五下午3点。回复C确认。"),
    ), "Mon", "周一"),
)

CONTACT_BY_KEY = {c.key: c for c in CONTACTS}

WIFI_NETWORKS: tuple[tuple[str, bool], ...] = (
    ("HomeNet", True), ("HomeNet-5G", True), ("CoffeeShop Guest", False),
    ("NETGEAR-42", True), ("Pixel Hotspot", True),
)
CONNECTED_WIFI = "HomeNet"
PAIRED_BT = (("Pixel Buds Pro", "headphones"), ("Car Audio", "car"), ("Galaxy Watch6", "watch"))
DEFAULT_NOTES = ("Shopping list: eggs, milk, bread",)
