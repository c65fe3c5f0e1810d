"""联合奖惩核查: scenario checks for one subject or a batch, measures, feedback, statistics."""
