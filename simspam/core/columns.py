"""The columns of ``daily.parquet`` and ``events.parquet``, with units.

This table is the single definition: the day loop (``core/sim.py``) allocates and records
from it, so it lives with the engine; the tables (``metrics/tables.py``), the docs
(docs/outputs.md, checked against it by a test) and the figures read these names.
"""
from __future__ import annotations

# name: (dtype, unit, meaning)
DAILY = {
    "spam_sent": ("int64", "messages/day", "spam sent by senders whose infrastructure (servers, or infected machines) is in the country"),
    "spam_sent_botnet": ("int64", "messages/day", "of spam_sent, the part sent from infected machines (botnets) in the country"),
    "spam_received": ("int64", "messages/day", "spam addressed to the country's consumers that reached its ISPs (filtered + delivered)"),
    "blocked_outbound": ("int64", "messages/day", "spam stopped where it left (port-25 blocking, acceptable-use terminations, blocklists), by origin"),
    "filtered": ("int64", "messages/day", "spam caught by the country's ISP filters, by destination"),
    "rejected_blocklist": ("int64", "messages/day", "of filtered, the part refused at connection by the ISPs' shared blocklists (never accepted by a mail server), by destination"),
    "delivered": ("int64", "messages/day", "spam delivered to inboxes in the country"),
    "legit_sent": ("int64", "messages/day", "legitimate mail sent by the country's users"),
    "legit_lost": ("int64", "messages/day", "legitimate mail lost to the country's filters (false positives)"),
    "responses": ("int64", "responses/day", "clicks or replies to delivered spam"),
    "sales": ("int64", "sales/day", "purchases from spam, and frauds completed"),
    "spammer_revenue": ("float64", "USD/day", "spammers' revenue (commission or fraud proceeds), by the spammers' home country"),
    "fraud_loss": ("float64", "USD/day", "money consumers in the country lost to fraud spam"),
    "active_spammers": ("int64", "operations", "spam operations in business with their home in the country (including any offline while rebuilding seized servers)"),
    "complaints": ("int64", "complaints/day", "complaints by the country's consumers"),
    "cases_opened": ("int64", "cases/day", "cases the country's regulator opened"),
    "cases_won": ("int64", "cases/day", "cases of the country's regulator won (here or through assistance abroad)"),
    "cases_dropped": ("int64", "cases/day", "cases of the country's regulator dropped (queue limit, target gone, no channel, refused, not proven)"),
    "assistance_requests": ("int64", "requests/day", "mutual-assistance requests the country's regulator sent abroad"),
    "assistance_granted": ("int64", "requests/day", "of those, granted"),
    "infected_machines": ("int64", "machines", "infected consumer machines in the country (end of day)"),
    "consumer_hours": ("float64", "hours/day", "time the country's consumers lost to delivered spam"),
    "isp_cost": ("float64", "USD/day", "ISPs' cost of filtering, outbound controls, blocklists and clean-up"),
    "enforcement_cost": ("float64", "USD/day", "the regulator's investigators"),
    "campaign_cost": ("float64", "USD/day", "awareness campaigns running in the country"),
    "social_cost": ("float64", "USD/day", "consumer time + fraud losses + lost legitimate mail + ISP, enforcement and campaign costs"),
}

EVENTS = {
    "time": ("float64", "days", "time since the start (continuous)"),
    "date": ("datetime64[ms]", "date", "calendar day of the event"),
    "kind": ("string", "-", "case_opened, case_won, case_dropped, assistance_requested, assistance_granted, assistance_refused, "
             "fine, arrest, takedown, botnet_rebuilt, relocation_home, relocation_infra, law_adopted, network_joined, mou_signed, "
             "lever_start, lever_end, payment_cut, spammer_entry, spammer_exit, cap_binding (a capacity parameter starts to bind: "
             "detail names it)"),
    "country": ("string", "ISO3", "where it happened (the acting regulator, the new home or host, the adopting country)"),
    "partner": ("string", "ISO3", "the other country involved, or empty"),
    "spammer": ("int64", "id", "the operation's id, or -1"),
    "value": ("float64", "USD or -", "case number (case and assistance events), fine amount, botnet capacity share, lever strength, "
              "by how much a cap was exceeded"),
    "detail": ("string", "-", "free text"),
}
