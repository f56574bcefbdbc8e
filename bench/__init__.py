"""The performance suite behind `localchat bench`: one module per suite, figures not verdicts."""
