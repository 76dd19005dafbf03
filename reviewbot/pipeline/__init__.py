"""The review pipeline, one way through, in three stages that hand one value to the next:

    plan.plan_review   changes -> pack -> prompt        -> ReviewPlan  (what --dry-run shows)
    run.execute        ReviewPlan -> agent + verifying  -> Reviewed    (what the model filed)
    finish.finish      Reviewed -> clean, anchor, dedupe, filter -> ReviewResult

The transcript and ``findings.json`` are saved in the run directory before a result is
returned, and before anything is published; a run that fails saves what it had first.
"""
