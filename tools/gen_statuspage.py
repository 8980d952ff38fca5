#!/usr/bin/env python3
"""gen_statuspage.py - a synthetic Statuspage incident history in the real
/api/v2/incidents.json format, for the correlator's import tests.

    python3 tools/gen_statuspage.py [--seed N] [--incidents N] [--out FILE]

The shape is that of a real document (tests/data/import/
api-v2-incidents.githubstatus.json, the webhook fixtures of
tests/data/webhooks/statuspage): {"page": {...}, "incidents": [...]},
incidents newest first, each with its incident_updates newest first, the
affected_components of each update (or null) and the incident's
components.  What makes it hard for a correlator, as real histories are:

- incidents arrive about every three hours but last from ten minutes to
  two days, so many overlap, often on the same components;
- about a fifth name no component at all (every update's
  affected_components is null), and some name components only from a
  later update on;
- some are never resolved (left investigating, identified or monitoring),
  some are posted already resolved (one update), some get a postmortem
  update days later;
- update bodies, impacts and components vary.

Python 3 standard library only; the same seed gives the same bytes.  The
committed fixture is tests/data/import/statuspage-history.json (seed 1).
"""
import argparse
import datetime
import json
import random
import string
import sys

COMPONENTS = [
    ("Git Operations", "Performance of git clones, pulls, pushes, and associated operations"),
    ("API Requests", "Requests for GitHub APIs"),
    ("Webhooks", "Real time HTTP callbacks of user-generated and system events"),
    ("Issues", "Requests for Issues on GitHub.com"),
    ("Pull Requests", "Requests for Pull Requests on GitHub.com"),
    ("Actions", "Workflows, Compute and Orchestration for GitHub Actions"),
    ("Packages", "API requests and webhook delivery for GitHub Packages"),
    ("Pages", "Frontend application and API servers for Pages builds"),
    ("Codespaces", "Orchestration and Compute for GitHub Codespaces"),
    ("Copilot", "AI pair programmer"),
    ("Notifications", "Email and web notifications"),
    ("Migrations", "Repository imports and exports"),
]
BAD = ["degraded_performance", "partial_outage", "major_outage"]
IMPACT_OF = {"degraded_performance": "minor", "partial_outage": "major", "major_outage": "critical"}
BODIES = {
    "investigating": ["We are investigating reports of degraded performance for {c}.",
                      "{c} is experiencing degraded availability. We are continuing to investigate.",
                      "We are investigating reports of issues with {c}. We will continue to keep users updated on progress towards mitigation."],
    "identified": ["We have identified the cause of the issue affecting {c} and are working on a fix.",
                   "The issue has been identified: a configuration change affecting {c}. A rollback is in progress."],
    "monitoring": ["A fix has been implemented for {c} and we are monitoring the results.",
                   "{c} is recovering. We are monitoring."],
    "resolved": ["This incident has been resolved.",
                 "This incident has been resolved. Thank you for your patience."],
    "postmortem": ["We have published a review of this incident on our engineering blog."],
}


def rid(rng, n=12):
    return "".join(rng.choice(string.ascii_lowercase + string.digits) for _ in range(n))


def ts(ms):
    d = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc) + datetime.timedelta(milliseconds=ms)
    return d.strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (ms % 1000)


def component_objects(comps, ids, page_id, status, now):
    out = []
    for pos, (name, desc) in enumerate(COMPONENTS):
        if name not in comps:
            continue
        out.append({"id": ids[name], "name": name, "status": status.get(name, "operational"),
                    "created_at": "2019-11-13T18:02:19.432Z", "updated_at": ts(now),
                    "position": pos + 1, "description": desc, "showcase": False,
                    "start_date": None, "group_id": None, "page_id": page_id, "group": False,
                    "only_show_if_degraded": False})
    return out


def lifecycle(rng):
    """The statuses of one incident's updates, oldest first, and whether it ends resolved."""
    kind = rng.random()
    if kind < 0.08:
        return ["resolved"], True                       # posted after the fact
    seq = ["investigating"] * rng.randint(1, 4)
    if rng.random() < 0.5:
        seq += ["identified"] * rng.randint(1, 2)
    if rng.random() < 0.4:
        seq += ["monitoring"]
    if kind < 0.18:                                     # never resolved
        return seq, False
    return seq + ["resolved"], True


def make_incident(rng, page_id, ids, created, comp_mode):
    iid = rid(rng)
    name_comps = rng.sample([c[0] for c in COMPONENTS], rng.choice([1, 1, 1, 2, 2, 3]))
    seq, resolved = lifecycle(rng)
    length = rng.choice([10, 20, 30, 45, 60, 90, 120, 180, 300, 600, 1440, 2880]) * 60000
    steps = len(seq)
    times = [created + 60 + rng.randint(0, 200)]
    for k in range(1, steps):
        times.append(times[0] + length * k // max(steps - 1, 1) + rng.randint(0, 59999))
    times.sort()
    status = {c: "operational" for c in name_comps}
    ups = []
    for k, st in enumerate(seq):
        show = comp_mode == "always" or (comp_mode == "late" and k > 0)
        aff = None
        if show:
            aff = []
            for c in name_comps:
                old = status[c]
                if st == "resolved":
                    new = "operational"
                elif old == "operational" and (k == 0 or comp_mode == "late"):
                    new = rng.choice(BAD)
                elif rng.random() < 0.3:
                    new = rng.choice(BAD)
                else:
                    new = old
                status[c] = new
                aff.append({"code": ids[c], "name": c, "old_status": old, "new_status": new})
        names = " and ".join(name_comps)
        ups.append({"id": rid(rng), "status": st,
                    "body": rng.choice(BODIES[st]).format(c=names), "incident_id": iid,
                    "created_at": ts(times[k]), "updated_at": ts(times[k]), "display_at": ts(times[k]),
                    "affected_components": aff, "deliver_notifications": True,
                    "custom_tweet": None, "tweet_id": None})
    if resolved and rng.random() < 0.15:
        t = times[-1] + rng.randint(2, 10) * 86400000
        ups.append({"id": rid(rng), "status": "postmortem", "body": BODIES["postmortem"][0],
                    "incident_id": iid, "created_at": ts(t), "updated_at": ts(t), "display_at": ts(t),
                    "affected_components": None, "deliver_notifications": True,
                    "custom_tweet": None, "tweet_id": None})
    worst = [s for s in status.values() if s != "operational"]
    impact = rng.choice(["minor", "major", "critical"]) if comp_mode == "none" else \
        IMPACT_OF[max(worst, key=BAD.index)] if worst else rng.choice(["minor", "major"])
    last = max(u["created_at"] for u in ups)
    mon = [u["created_at"] for u in ups if u["status"] == "monitoring"]
    inc = {"id": iid,
           "name": "Incident with " + " and ".join(name_comps) if comp_mode != "none"
           else rng.choice(["Disruption with some GitHub services", "Degraded performance for some users",
                            "Elevated error rates"]),
           "status": seq[-1] if not resolved else ("postmortem" if ups[-1]["status"] == "postmortem" else "resolved"),
           "created_at": ts(created), "updated_at": last,
           "monitoring_at": mon[0] if mon else None,
           "resolved_at": ts(times[steps - 1]) if resolved else None,
           "impact": impact, "shortlink": "https://stspg.io/" + rid(rng),
           "started_at": ts(created - 6), "page_id": page_id,
           "incident_updates": list(reversed(ups)),
           "components": component_objects(name_comps, ids, page_id, status, times[-1])
           if comp_mode != "none" else [],
           "reminder_intervals": None}
    return inc


def generate(seed, n):
    rng = random.Random(seed)
    page_id = rid(rng)
    ids = {c[0]: rid(rng) for c in COMPONENTS}
    t = 1704067200000 + rng.randint(0, 86400000)   # 2024-01-01
    incs = []
    for _ in range(n):
        t += int(rng.expovariate(1 / (3 * 3600000))) + 1000
        mode = rng.choices(["always", "late", "none"], [0.65, 0.15, 0.2])[0]
        incs.append(make_incident(rng, page_id, ids, t, mode))
    incs.sort(key=lambda i: i["created_at"], reverse=True)
    return {"page": {"id": page_id, "name": "Example", "url": "https://status.example.com",
                     "time_zone": "Etc/UTC", "updated_at": incs[0]["updated_at"]},
            "incidents": incs}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--incidents", type=int, default=240)
    ap.add_argument("--out", default="-")
    a = ap.parse_args()
    if a.incidents < 1 or a.incidents > 100000:
        sys.exit("gen_statuspage: --incidents must be 1..100000")
    text = json.dumps(generate(a.seed, a.incidents), indent=1) + "\n"
    if a.out == "-":
        sys.stdout.write(text)
    else:
        with open(a.out, "w") as f:
            f.write(text)


if __name__ == "__main__":
    main()
