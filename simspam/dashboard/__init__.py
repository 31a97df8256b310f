"""The live presenter app (``simspam-dashboard``): controls for the five levers, a cache of runs.

``spec`` maps controls to canonical levers and run keys, ``cache`` stores compact results,
``service`` answers a change within the time budget (cache, live run or nearest cached run),
``figures`` and ``app`` draw them, ``precompute`` fills the cache, ``cli`` starts it all.
"""
