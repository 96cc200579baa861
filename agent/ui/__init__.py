"""`qwen-agent ui`: the large-print web page for guide mode (Gradio, imported only by the command)."""
