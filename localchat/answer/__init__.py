"""Evidence-first answering: sentences chosen from the sources, answers built and checked."""
