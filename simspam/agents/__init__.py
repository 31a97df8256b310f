"""The actors: the world of countries, spammers, botnets, ISPs, consumers, regulators.

The many (spammers, ISPs, consumer classes, infected machines) are held as arrays
(struct of arrays, indexed by id) and updated with vectorised numpy; the few that
act in continuous time (regulators, botnets) are Mesa agents driven by SimPy.
"""
