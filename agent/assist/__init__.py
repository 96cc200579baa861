"""Guide mode for people who want to be shown, not replaced: where to tap, in plain words, aloud.

`instruct` turns an action into one short sentence (en/zh templates), `marking` draws the big ring
on a dimmed screenshot, `speech` reads the sentence aloud to a WAV, `guide` is the loop's `Actor`
that waits for the person, and `command` is `qwen-agent assist`.
"""
