"""Learning from recordings: run folders and scenarios as Qwen3-VL training data, and fine-tuning.

    samples.py    the steps of a run folder or a scenario, each as the `DecideRequest` the loop
                  made (or would make) at that step and the action that was taken
    targets.py    the reply a model should have written: the thinking (or a short rationale),
                  `</think>`, the action in the chosen prompt format
    dataset.py    the export folder: images, train.jsonl (messages + images), LLaMA-Factory's
                  dataset_info.json, the dataset card
    features.py   an exported example as model inputs (the prompt exactly as the backend renders
                  it, labels on the reply only)
    finetune.py   supervised fine-tuning with the transformers Trainer (peft for LoRA)

Export needs only the core install; fine-tuning needs the `train` extra (torch, transformers,
peft). Nothing heavy is imported at package level.
"""
