"""The ten demo questions the local-model benchmarks prompt with (nine answerable from
demo/corpus, one not)."""

DEMO_QUESTIONS = [
    "Who discovered polonium?",
    "Where was the founder of the Nobel Prizes born?",
    "Which university did Albert Einstein graduate from?",
    "Who designed the Harvard Mark I?",
    "What is the boiling point of mercury on Mars?",
    "Who won the 1935 Nobel Prize in Chemistry?",
    "Which institute did Niels Bohr found?",
    "Where did Lise Meitner work with Otto Hahn?",
    "Where was Alan Turing born?",
    "What did Grace Hopper invent?",
]
