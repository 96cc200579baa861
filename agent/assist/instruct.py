"""One short, plain instruction per action, from templates — never the model's own reasoning.

The model's thinking is long, hedged and in whatever language it chose; an older person needs one
sentence: what to touch, and roughly where ("near the top"). Templates keep that predictable and
let the same action be said in English or Chinese.
"""

from __future__ import annotations

from actions import Action

LANGS = ("en", "zh")

_TEMPLATES: dict[str, dict[str, str]] = {
    "en": {
        "tap": "Tap {element} {where}.",
        "double_tap": "Tap {element} twice quickly, {where}.",
        "long_press": "Press and hold {element} {where}.",
        "triple_click": "Click {element} three times quickly, {where}.",
        "right_click": "Click {element} {where} with the right mouse button.",
        "middle_click": "Click {element} {where} with the middle mouse button (the wheel).",
        "mouse_move": "Move the mouse pointer onto {element} {where}, without clicking.",
        "swipe": "Put your finger on {element} {where} and slide it {way}.",
        "scroll": "Slide the screen {way} with one finger.",
        "type": 'Type "{text}"{into}.',
        "key": "Press the {key} key.",
        "back": "Press the Back button.",
        "home": "Press the Home button.",
        "open_app": "Open the {app} app.",
        "wait": "Please wait a moment.",
        "ask_user": "{text}",
        "done": "Done! {text}",
    },
    "zh": {
        "tap": "点一下{where}的“{element}”。",
        "double_tap": "快速点两下{where}的“{element}”。",
        "long_press": "按住{where}的“{element}”不放。",
        "triple_click": "快速点三下{where}的“{element}”。",
        "right_click": "用鼠标右键点一下{where}的“{element}”。",
        "middle_click": "用鼠标中键（滚轮）点一下{where}的“{element}”。",
        "mouse_move": "把鼠标指针移到{where}的“{element}”上，不要点击。",
        "swipe": "手指按住{where}的“{element}”，{way}滑动。",
        "scroll": "用一根手指把屏幕{way}滑动。",
        "type": "{into}输入“{text}”。",
        "key": "按一下“{key}”键。",
        "back": "按一下返回键。",
        "home": "按一下主屏幕键。",
        "open_app": "打开“{app}”应用。",
        "wait": "请稍等一下。",
        "ask_user": "{text}",
        "done": "完成了！{text}",
    },
}

# Scrolling "down" reveals what is below: the finger moves up. Say what the finger does.
_SCROLL_WAY = {
    "en": {"down": "up", "up": "down", "left": "to the left", "right": "to the right"},
    "zh": {"down": "向上", "up": "向下", "left": "向左", "right": "向右"},
}
_SWIPE_WAY = {
    "en": {"up": "up", "down": "down", "left": "to the left", "right": "to the right"},
    "zh": {"up": "向上", "down": "向下", "left": "向左", "right": "向右"},
}
_NOUNS = frozenset({"switch", "toggle", "button", "icon", "field", "box", "tab", "menu", "bar",
                    "key", "link", "slider", "option", "row", "item", "list", "card", "area"})
_KEYS_ZH = {"enter": "回车", "delete": "删除", "backspace": "删除", "space": "空格"}


def position_words(point: tuple[int, int], lang: str = "en") -> str:
    """Rough place on the screen in words, from a 0-1000 grid point ("near the top right")."""
    x, y = point
    row = "top" if y < 300 else ("bottom" if y > 700 else "middle")
    col = "left" if x < 300 else ("right" if x > 700 else "")
    if lang == "zh":
        rows = {"top": "屏幕上方", "middle": "屏幕中间", "bottom": "屏幕下方"}
        cols = {"left": "靠左", "right": "靠右", "": ""}
        return rows[row] + cols[col]
    if row == "middle":
        return f"on the {col} side of the screen" if col else "in the middle of the screen"
    return f"near the {row} {col}".rstrip() if col else f"near the {row}"


def _direction(a: tuple[int, int], b: tuple[int, int]) -> str:
    dx, dy = b[0] - a[0], b[1] - a[1]
    if abs(dx) > abs(dy):
        return "right" if dx > 0 else "left"
    return "down" if dy > 0 else "up"


def _element(name: str | None, lang: str) -> str:
    if not name:
        return "这里" if lang == "zh" else "the marked spot"
    if lang == "zh":
        return name
    # "Bluetooth toggle" reads better as "the Bluetooth toggle", but "Bluetooth" or "Settings"
    # (a label on the screen) as it stands.
    if name.lower().startswith(("the ", "a ", "an ")) or name.split()[-1].lower() not in _NOUNS:
        return name
    return f"the {name}"


def instruction(action: Action, lang: str = "en") -> str:
    """The sentence to show and say for this action, in `lang` ("en" or "zh")."""
    if lang not in LANGS:
        raise ValueError(f"unsupported language {lang!r}; use one of {LANGS}")
    template = _TEMPLATES[lang][action.kind]
    element = getattr(action, "element", None)
    target = action.target
    fields: dict[str, str] = {
        "element": _element(element, lang),
        "where": position_words(target, lang) if target is not None else "",
        "text": getattr(action, "text", "") or "",
        "app": getattr(action, "app", "") or "",
        "key": str(getattr(action, "key", "") or ""),
        "way": "",
        "into": "",
    }
    if action.kind == "scroll":
        fields["way"] = _SCROLL_WAY[lang][action.direction]  # type: ignore[union-attr]
    elif action.kind == "swipe":
        fields["way"] = _SWIPE_WAY[lang][_direction(target, action.to)]  # type: ignore[arg-type, union-attr]
    elif action.kind == "type" and element:
        fields["into"] = f"在“{element}”里" if lang == "zh" else f" into {_element(element, lang)}"
    elif action.kind == "key" and lang == "zh":
        fields["key"] = _KEYS_ZH.get(fields["key"].lower(), fields["key"])
    text = template.format(**fields)
    return " ".join(text.split()).replace(" .", ".").replace(" ,", ",")


def done_text(summary: str | None, lang: str = "en") -> str:
    summary = (summary or "").strip()
    return ("完成了！" + summary) if lang == "zh" else ("Done! " + summary).strip()


def stopped_text(lang: str = "en") -> str:
    return "已停止。" if lang == "zh" else "Stopped."
