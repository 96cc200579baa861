"""Every word on the page, in English and Chinese (the en/zh switch swaps them all)."""

from __future__ import annotations

TEXTS: dict[str, dict[str, str]] = {
    "en": {
        "title": "Phone helper",
        "intro": "Type what you want to do. I will show you where to tap, one step at a time.",
        "goal": "What do you want to do?",
        "goal_hint": "for example: turn off Bluetooth",
        "start": "Start",
        "screen": "The phone screen — tap where the yellow ring is",
        "instruction": "What to do now",
        "listen": "Listen",
        "do": "Do it for me",
        "repeat": "Repeat",
        "stop": "Stop",
        "yes": "Yes, allow it",
        "no": "No",
        "guide_tab": "Step by step",
        "upload_tab": "Ask about a screenshot",
        "upload": "Your screenshot",
        "question": "What do you want to do on this screen?",
        "ask": "Where do I tap?",
        "runs_tab": "Past help",
        "refresh": "Refresh the list",
        "no_runs": "Nothing yet.",
        "thinking": "How the helper decided (for family members)",
        "waiting": "Type what you want to do, then press Start.",
        "busy": "Please wait, I am looking at the screen…",
        "need_image": "Please add a screenshot first.",
        "language": "Language",
        "recorded": "Recorded help: pick a task, then press Start",
    },
    "zh": {
        "title": "手机小帮手",
        "intro": "写下您想做的事，我会一步一步告诉您点哪里。",
        "goal": "您想做什么？",
        "goal_hint": "例如：关掉蓝牙",
        "start": "开始",
        "screen": "手机屏幕 — 请点黄色圆圈的位置",
        "instruction": "现在要做的",
        "listen": "听一遍",
        "do": "帮我做",
        "repeat": "再说一遍",
        "stop": "停止",
        "yes": "同意",
        "no": "不同意",
        "guide_tab": "一步一步来",
        "upload_tab": "问一张截图",
        "upload": "您的截图",
        "question": "您想在这个屏幕上做什么？",
        "ask": "点哪里？",
        "runs_tab": "以前的帮助",
        "refresh": "刷新列表",
        "no_runs": "还没有记录。",
        "thinking": "小帮手是怎么想的（给家人看）",
        "waiting": "写下您想做的事，然后按“开始”。",
        "busy": "请稍等，我正在看屏幕……",
        "need_image": "请先放一张截图。",
        "language": "语言",
        "recorded": "录好的帮助：选一件事，再按“开始”",
    },
}

LANG_CHOICES = [("English", "en"), ("中文", "zh")]


def t(lang: str, key: str) -> str:
    return TEXTS.get(lang, TEXTS["en"])[key]
