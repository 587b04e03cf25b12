"""Fictional material for the demo practice: names, places, payers, codes, texts, measures.

Everything here is invented (names drawn from common given and family names of several
languages, 555 telephone numbers, example.org e-mail, ZIP codes that do not exist) except the
ICD-10-CM codes, CPT/HCPCS codes and crisis lines, which are real so the demo reads like a chart.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from iopdesk.domain import measures

# ----------------------------------------------------------------------------------- names
# culture -> (female given names, male given names, family names "masculine|feminine" or plain,
#             female middle name, male middle name)
CULTURES: dict[str, tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...], str, str]] = {
    "vietnamese": (("Lan", "Thảo", "Hương", "Linh", "Mai", "Ngọc", "Trang"),
                   ("Minh", "Đức", "Tuấn", "Quang", "Huy", "Phúc", "Khánh"),
                   ("Nguyễn", "Trần", "Phạm", "Lê", "Hoàng", "Võ", "Đặng", "Bùi"), "Thị", "Văn"),
    "polish": (("Zofia", "Małgorzata", "Agnieszka", "Katarzyna", "Joanna", "Bożena"),
               ("Łukasz", "Paweł", "Michał", "Wojciech", "Jędrzej", "Krzysztof"),
               ("Wiśniewski|Wiśniewska", "Żółkiewski|Żółkiewska", "Dąbrowski|Dąbrowska",
                "Lewandowski|Lewandowska", "Wójcik", "Kowalczyk", "Nowak", "Gałązka"), "", ""),
    "spanish": (("María", "Lucía", "Inés", "Sofía", "Verónica", "Ximena", "Guadalupe"),
                ("José", "Andrés", "Joaquín", "Rubén", "Sebastián", "Ángel", "Martín"),
                ("Núñez", "Peña", "García", "Hernández", "Muñoz", "Ibáñez", "Gómez", "Ortiz",
                 "Rodríguez", "Castañeda"), "", ""),
    "scandinavian": (("Åsa", "Ingrid", "Sigrid", "Maja", "Linnéa", "Astrid", "Solveig"),
                     ("Bjørn", "Søren", "Jens", "Anders", "Håkon", "Øystein", "Göran"),
                     ("Østergaard", "Lindqvist", "Sjöberg", "Åberg", "Hansen", "Jørgensen",
                      "Bergström", "Næss"), "", ""),
    "english": (("Jennifer", "Emily", "Sarah", "Hannah", "Jessica", "Ashley", "Olivia", "Rachel",
                 "Megan", "Elizabeth", "Brianna", "Kayla"),
                ("Michael", "David", "Tyler", "Ethan", "Christopher", "Robert", "Jacob", "Marcus",
                 "Noah", "William", "Dylan", "Kevin"),
                ("Miller", "Johnson", "Walker", "Bennett", "O'Connor", "Hughes", "Carter",
                 "Foster", "Reed", "Sullivan", "Brooks", "Hayes", "McAllister", "Whitaker",
                 "Price", "Lawson", "Fitzgerald", "Holloway"), "", ""),
    "other": (("Chloé", "Zoë", "Siobhán", "Renée", "Aylin", "Noémie"),
              ("François", "Jürgen", "Çağrı", "Seán", "Émile", "Tomáš"),
              ("Müller", "Lefèvre", "Öztürk", "Ó Briain", "Dubé", "Dvořák"), "", ""),
}
CULTURE_WEIGHTS = {"english": 40, "spanish": 20, "vietnamese": 14, "polish": 10,
                   "scandinavian": 9, "other": 7}
NICKNAMES = {"José": "Pepe", "Guadalupe": "Lupe", "Christopher": "Chris", "Robert": "Rob",
             "Jennifer": "Jen", "Jessica": "Jess", "Elizabeth": "Liz", "Michael": "Mike",
             "Jacob": "Jake", "William": "Will", "Małgorzata": "Gosia", "Krzysztof": "Krzyś",
             "Katarzyna": "Kasia", "Ngọc": "Ruby", "Khánh": "Ken", "Siobhán": "Shiv"}
# Always in the small demo: (first, middle, last, sex, preferred name).
FEATURED = (
    ("Lan", "Thị", "Nguyễn", "F", ""), ("Łukasz", "", "Wiśniewski", "M", ""),
    ("Zofia", "", "Żółkiewska", "F", ""), ("José", "", "Núñez", "M", "Pepe"),
    ("María", "", "Peña", "F", ""), ("Bjørn", "", "Østergaard", "M", ""),
    ("Åsa", "", "Lindqvist", "F", ""), ("Minh", "Văn", "Trần", "M", ""),
    ("Thảo", "", "Phạm", "F", ""),
)


def make_name(rng: random.Random, sex: str) -> tuple[str, str, str, str]:
    """(first, middle, last, preferred) of a person of `sex` ("F"/"M")."""
    culture = rng.choices(list(CULTURE_WEIGHTS), weights=list(CULTURE_WEIGHTS.values()))[0]
    female, male, families, f_middle, m_middle = CULTURES[culture]
    first = rng.choice(female if sex == "F" else male)
    family = rng.choice(families)
    if "|" in family:
        family = family.split("|")[1 if sex == "F" else 0]
    middle = (f_middle if sex == "F" else m_middle) if rng.random() < 0.7 else ""
    preferred = NICKNAMES.get(first, "") if rng.random() < 0.6 else ""
    return first, middle, family, preferred


# ---------------------------------------------------------------------------------- places
PRACTICE = dict(name="Willow Creek Recovery & Wellness (DEMO)", address_line1="2140 Alder Street",
                address_line2="Suite 300", city="Millbrook", state="OR", postal_code="97990",
                phone="(555) 201-0100", fax="(555) 201-0101", npi="1234567893")
CITIES = (("Millbrook", "97990"), ("Cedar Bend", "97991"), ("Alder Falls", "97992"),
          ("Hollis Crossing", "97993"), ("Pine Hollow", "97994"))
STREETS = ("Alder St", "Birch Ave", "Cedar Ln", "Douglas Fir Rd", "Elm Ct", "Filbert St",
           "Hawthorne Blvd", "Juniper Way", "Larch Pl", "Madrone Dr", "Oak Grove Rd",
           "Willamette Ave", "Spruce St", "Riverside Dr", "Salmonberry Loop")
PAYERS = (("Cascade Health Plan", "CHP01"), ("Evergreen Medicaid", "EVMCD"),
          ("Columbia Mutual Insurance", "CMI22"), ("Summit Employee Health Trust", "SEHT9"))
REFERRAL_ADULT = ("Self", "Primary care physician", "Emergency department", "Employee assistance "
                  "program", "Court referral", "Family member", "Inpatient step-down")
REFERRAL_TEEN = ("School counselor", "Pediatrician", "Parent", "Emergency department",
                 "Juvenile court", "Inpatient step-down")
RELATIONS_ADULT = ("Spouse", "Partner", "Mother", "Father", "Sister", "Brother", "Friend")

# ----------------------------------------------------------------------------------- staff
# username -> (display name, credentials, e-mail local part)
STAFF_DETAILS = {
    "admin": ("Morgan Ellis", "", "m.ellis"),
    "frontdesk": ("Rosa Delgado", "", "frontdesk"),
    "clinician": ("Dana Whitfield", "LCSW", "d.whitfield"),
    "supervisor": ("Samuel Okafor", "PhD, LMFT", "s.okafor"),
    "associate": ("Jamie Tran", "LPC-Associate", "j.tran"),
    "priya": ("Priya Raman", "CADC II", "p.raman"),
    "lars": ("Lars Henriksen", "LCSW", "l.henriksen"),
}

# ---------------------------------------------------------------------------------- tracks
# (name, age group, focus, minutes/week, review days, per diem, revenue, weekdays, start,
#  three group titles, in the small demo too)
TRACKS = (
    ("Adult Substance Use IOP", "adult", "substance_use", 540, 30, "H0015", "0906", (0, 2, 3),
     (18, 0), ("Relapse Prevention", "CBT Skills", "Process Group"), True),
    ("Adolescent Mental Health IOP", "adolescent", "mental_health", 360, 14, "S9480", "0905",
     (1, 3), (15, 30), ("DBT Skills", "Coping & Communication", "Process Group"), True),
    ("Adult Substance Use IOP (Daytime)", "adult", "substance_use", 540, 30, "H0015", "0906",
     (0, 1, 3), (9, 0), ("Relapse Prevention", "Recovery Skills", "Process Group"), False),
    ("Adult Mental Health IOP", "adult", "mental_health", 540, 30, "S9480", "0905", (0, 2, 4),
     (13, 0), ("CBT Skills", "Mindfulness & DBT Skills", "Process Group"), False),
    ("Adult Co-occurring IOP", "adult", "co_occurring", 540, 30, "H0015", "0906", (1, 2, 4),
     (17, 30), ("Dual Recovery", "CBT Skills", "Process Group"), False),
    ("Adolescent Substance Use IOP", "adolescent", "substance_use", 360, 14, "H0015", "0906",
     (0, 2), (15, 30), ("Teen Recovery Skills", "Coping & Communication", "Process Group"),
     False),
)
MODALITY = {"Relapse Prevention": "Relapse prevention", "CBT Skills": "CBT",
            "Process Group": "Process group", "DBT Skills": "DBT",
            "Coping & Communication": "Skills training", "Recovery Skills": "Psychoeducation",
            "Mindfulness & DBT Skills": "DBT", "Dual Recovery": "Integrated dual-disorder",
            "Teen Recovery Skills": "Relapse prevention"}
TOPICS = {
    "Relapse prevention": ("Identifying high-risk situations", "Cravings: urge surfing",
                           "Building a sober support network", "Lapse vs. relapse",
                           "Managing weekends and holidays", "Refusal skills role-play"),
    "CBT": ("Thought records", "Cognitive distortions", "Behavioral activation",
            "Problem solving", "Challenging automatic thoughts", "Core beliefs"),
    "Process group": ("Check-in and goals for the week", "Shame and self-compassion",
                      "Repairing relationships", "Grief and loss", "Anger", "Trust"),
    "DBT": ("Distress tolerance: TIPP", "Wise mind", "Opposite action", "DEAR MAN",
            "Radical acceptance", "Mindfulness: observe and describe"),
    "Skills training": ("Active listening", "I-statements", "Setting boundaries",
                        "Sleep and routines", "Handling peer pressure", "Asking for help"),
    "Psychoeducation": ("The brain in recovery", "Nutrition and sleep", "Medication-assisted "
                        "treatment", "Post-acute withdrawal", "Stress and the body"),
    "Integrated dual-disorder": ("Mood and substance use", "Medication adherence",
                                 "Anxiety without alcohol", "Recovery goals"),
}
HOLIDAYS = ("New Year's Day", "Memorial Day", "Independence Day", "Labor Day",
            "Thanksgiving Day", "Christmas Day")


def holidays(year: int) -> list[tuple[date, str]]:
    """The US holidays the practice closes on, in `year`."""
    def nth(month: int, weekday: int, n: int) -> date:
        first = date(year, month, 1)
        return first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (n - 1))
    last_may = date(year, 5, 31) - timedelta(days=(date(year, 5, 31).weekday()) % 7)
    days = (date(year, 1, 1), last_may, date(year, 7, 4), nth(9, 0, 1), nth(11, 3, 4),
            date(year, 12, 25))
    return list(zip(days, HOLIDAYS, strict=True))


# ---------------------------------------------------------------------------- diagnoses
SUD_PRIMARY = (("F10.20", "Alcohol dependence, uncomplicated"),
               ("F11.20", "Opioid dependence, uncomplicated"),
               ("F12.20", "Cannabis dependence, uncomplicated"),
               ("F14.20", "Cocaine dependence, uncomplicated"),
               ("F15.20", "Other stimulant dependence, uncomplicated"),
               ("F10.10", "Alcohol abuse, uncomplicated"))
MH_PRIMARY = (("F33.1", "Major depressive disorder, recurrent, moderate"),
              ("F32.1", "Major depressive disorder, single episode, moderate"),
              ("F41.1", "Generalized anxiety disorder"),
              ("F43.10", "Post-traumatic stress disorder, unspecified"),
              ("F43.23", "Adjustment disorder with mixed anxiety and depressed mood"),
              ("F31.81", "Bipolar II disorder"))
TEEN_EXTRA = (("F90.0", "Attention-deficit hyperactivity disorder, predominantly inattentive "
               "type"), ("F12.10", "Cannabis abuse, uncomplicated"),
              ("F40.10", "Social phobia, unspecified"))

# --------------------------------------------------------------------------------- plans
# category -> (problem, goal in the participant's words, objectives, interventions)
PLAN_TEMPLATES = {
    "substance": (
        "Substance use is causing problems at work, at home and with health.",
        "“I want to stay sober and keep my family and my job.”",
        ("Attend at least 90% of scheduled IOP groups each week.",
         "Identify five personal triggers and write a coping response for each in the "
         "relapse-prevention plan.",
         "Attend two community recovery meetings (AA, NA or SMART Recovery) a week."),
        (("Relapse-prevention group: trigger identification and coping rehearsal",
          "Relapse prevention", "3x weekly"),
         ("Motivational interviewing in individual session", "MI", "weekly"))),
    "mood": (
        "Depressed mood with withdrawal, poor sleep and low motivation.",
        "“I want to feel like myself again and get out of bed in the morning.”",
        ("Reduce the PHQ-9 score by half from the intake score.",
         "Complete three planned pleasant or valued activities a week, recorded in a log."),
        (("CBT skills group: thought records and behavioral activation", "CBT", "weekly"),
         ("Individual CBT session", "CBT", "weekly"))),
    "anxiety": (
        "Worry and panic symptoms limit daily activities.",
        "“I want to stop worrying all the time and go places without panicking.”",
        ("Use a breathing or grounding skill in three anxious moments a week and rate it.",
         "Reduce the GAD-7 score below 10."),
        (("Mindfulness and distress-tolerance skills training", "DBT", "2x weekly"),
         ("Graded exposure planning in individual session", "CBT", "weekly"))),
    "family": (
        "Frequent conflict at home and with school staff.",
        "“I want my parents to trust me again and to stop getting in trouble at school.”",
        ("Use an I-statement during a disagreement at home at least twice a week.",
         "Attend school every day for four consecutive weeks."),
        (("Family therapy session with guardian", "Family therapy", "every other week"),
         ("Communication skills group", "Skills training", "weekly"))),
}
LIBRARY = tuple((kind, category, text) for category, (problem, goal, objectives, interventions)
                in PLAN_TEMPLATES.items()
                for kind, text in ([("problem", problem), ("goal", goal)]
                                   + [("objective", o) for o in objectives]
                                   + [("intervention", i[0]) for i in interventions]))

# --------------------------------------------------------------------------------- notes
PARTICIPATION = ("Participated actively and offered feedback to peers.",
                 "Quiet at first; shared when invited and stayed engaged.",
                 "Engaged throughout; volunteered an example from the past week.",
                 "Attentive; took notes on the skill and asked one clarifying question.",
                 "Participated in the role-play and practised the skill twice.",
                 "Shared openly about a difficult weekend and accepted support.",
                 "Distracted early in session; refocused after a brief check-in.",
                 "Supportive of a newer member; described own use of the skill.")
RESPONSE = ("Able to name a recent trigger and one coping response.",
            "Described using the skill once since the last group with partial success.",
            "Reports cravings are lower this week; mood appeared brighter.",
            "Acknowledged ambivalence about change; rated readiness 6/10.",
            "Identified an automatic thought and generated a balanced alternative.",
            "Reports sleeping better and keeping the daily routine.",
            "Affect restricted; denied SI/HI when asked; safety plan reviewed.",
            "Reports a difficult family conversation went better using I-statements.")
NEXT_STEP = ("Continue attending groups as planned.", "Practise the skill daily and log it.",
             "Review progress with primary clinician in individual session.",
             "Bring the completed worksheet to the next group.",
             "Attend two community recovery meetings before the next group.",
             "Share the safety plan with a support person this week.")
INDIVIDUAL_SUBJECTIVE = ("Reports a stressful week at work and two strong cravings.",
                         "States mood is “a bit better”; sleeping six hours a night.",
                         "Reports conflict with a family member over chores and curfew.",
                         "Describes worry about finances and a court date.",
                         "Reports no use since the last session and pride in that.",
                         "States feeling overwhelmed and tearful on two days.")
INDIVIDUAL_ASSESSMENT = ("Making steady progress on the plan objectives.",
                         "Progress slowed by stressors; remains engaged.",
                         "Symptoms improving; skills use increasing.",
                         "Risk low; protective factors include family and employment.")
DISCHARGE_TEXT = {
    "completed": "Completed the program and met most plan objectives; stepping down to "
                 "outpatient care.",
    "transferred_higher": "Symptoms increased despite IOP services; transferred to partial "
                          "hospitalization.",
    "against_advice": "Chose to leave the program before completing it, against clinical advice.",
    "administrative": "Discharged after repeated violations of the program agreement.",
    "lost_to_contact": "No attendance and no response to outreach for 14 days.",
    "other": "Moved out of the area; records sent with consent.",
}
CRISIS = "988 Suicide & Crisis Lifeline (call or text 988); emergency 911."
SUPPORT_GROUPS = ("AA, Tuesday 7 pm, Millbrook Community Center",
                  "SMART Recovery, Thursday 6 pm, Cedar Bend Library",
                  "NA, Saturday 10 am, First Street Hall",
                  "Alateen and Al-Anon family group, Monday 6:30 pm")
AFTERCARE_PROVIDERS = (("Riverbend Counseling (outpatient therapy)", "(555) 201-4410"),
                       ("Millbrook Family Medicine (medication follow-up)", "(555) 201-7720"),
                       ("Cedar Bend Youth Services", "(555) 201-3390"))

# ------------------------------------------------------------------------------- measures
def spread(rng: random.Random, total: int, count: int, top: int) -> list[int]:
    """`count` item scores between 0 and `top` adding up to `total` (capped at count*top)."""
    items = [0] * count
    for _ in range(min(total, count * top)):
        index = rng.choice([i for i, v in enumerate(items) if v < top])
        items[index] += 1
    return items


def measure(rng: random.Random, instrument: str, severity: float, sex: str,
            suicide_item: int = 0) -> tuple[list[int], int, str, list[str]]:
    """(items, total, band, flags) of one administration at `severity` (0..1): the answers
    are made up here, the scoring is the domain's (`iopdesk.domain.measures`)."""
    if instrument == "phq9":
        items = spread(rng, round(severity * 24), 8, 3) + [suicide_item]
    elif instrument == "gad7":
        items = spread(rng, round(severity * 19), 7, 3)
    elif instrument == "auditc":
        items = spread(rng, round(severity * 11), 3, 4)
    else:  # dast10: 1 = Yes. Spread the points, then answer item 3 (reverse scored) No for one.
        items = spread(rng, round(severity * 9), 10, 1)
        items[2] = 1 - items[2]
    result = measures.score(instrument, items, female=sex == "F")
    return items, result.total, result.band, list(result.flags)


# ------------------------------------------------------------------------------ intakes
# The intake tells the story of the primary diagnosis: its presenting problem (four of each,
# so the random stream does not depend on the diagnosis) and its substance use history.
def story_family(code: str) -> str:
    """The story an ICD-10-CM code belongs to."""
    for prefix, family in (("F10", "alcohol"), ("F11", "opioid"), ("F12", "cannabis"),
                           ("F14", "stimulant"), ("F15", "stimulant"), ("F32", "depression"),
                           ("F33", "depression"), ("F41", "anxiety"), ("F40", "anxiety"),
                           ("F43.1", "trauma"), ("F43.2", "adjustment"), ("F31", "bipolar"),
                           ("F90", "adhd")):
        if code.startswith(prefix):
            return family
    return "adjustment"


SUBSTANCE_FAMILIES = frozenset({"alcohol", "opioid", "cannabis", "stimulant"})

PRESENTING_PROBLEMS: dict[tuple[str, bool], tuple[str, str, str, str]] = {
    ("alcohol", False): (
        "Drinking most nights since a job loss; partner says they will leave if it goes on.",
        "Arrested for driving under the influence in September; court-referred.",
        "Drinking to cope with panic attacks and loneliness since a divorce.",
        "Stepped down from residential detox after alcohol withdrawal."),
    ("alcohol", True): (
        "Drinking at parties every weekend; brought home by police last month.",
        "Found drinking at school; suspended for a week.",
        "Drinks alone in the bedroom to fall asleep; grades falling.",
        "Stepped down from inpatient care after alcohol poisoning."),
    ("opioid", False): (
        "Fentanyl use after a back injury; wants to stay on buprenorphine and work again.",
        "Overdosed in August; reversed with naloxone by a roommate.",
        "Started buprenorphine last month; cravings at night and after work.",
        "Stepped down from residential treatment for opioid use."),
    ("opioid", True): (
        "Pills bought from friends since age 15; now using most days.",
        "Overdosed at a party; reversed with naloxone by a friend.",
        "Took a parent's prescribed oxycodone; caught and brought in by family.",
        "Stepped down from inpatient care after an overdose."),
    ("cannabis", False): (
        "Smokes cannabis all day; lost two jobs for missing shifts.",
        "Wants to quit cannabis before the baby arrives; cannot sleep without it.",
        "Heavy cannabis use worsening anxiety; paranoid after using.",
        "Referred by the employee assistance program after a failed drug test."),
    ("cannabis", True): (
        "Daily cannabis vaping; suspended from school.",
        "Vapes cannabis before school; skipping classes and fighting at home.",
        "Cannabis every day since age 14; lost interest in soccer and friends.",
        "Stepped down from inpatient care after cannabis-induced panic."),
    ("stimulant", False): (
        "Cocaine binges on weekends; missed a daughter's birthday.",
        "Methamphetamine use; up for days, then crashes into depression.",
        "Spent savings on cocaine; partner found out last month.",
        "Stepped down from inpatient care after stimulant-induced psychosis."),
    ("stimulant", True): (
        "Misusing a friend's stimulant prescription to study; not sleeping.",
        "Cocaine at parties; brought home by police.",
        "Taking stimulants to stay up gaming; failing classes.",
        "Stepped down from inpatient care after a stimulant binge."),
    ("depression", False): (
        "Low mood and isolation since a divorce; stopped going to work.",
        "Sleeping fourteen hours a day; stopped seeing friends.",
        "Hopeless since losing a parent; stopped eating regular meals.",
        "Stepped down from inpatient care after a depressive crisis."),
    ("depression", True): (
        "Low mood, school refusal and conflict at home.",
        "Stays in the bedroom after school; stopped seeing friends.",
        "Tearful and irritable since being bullied online.",
        "Stepped down from inpatient care after a crisis."),
    ("anxiety", False): (
        "Constant worry; panic attacks at work; calls in sick.",
        "Cannot drive on the highway since a panic attack; avoids shops.",
        "Worry keeps them up at night; stomach pains with no medical cause.",
        "Stepped down from partial hospitalization for anxiety."),
    ("anxiety", True): (
        "Panic attacks before school; grades falling.",
        "Will not speak in class; avoids lunch with classmates.",
        "Worries about everything; stomach aches every school morning.",
        "Stepped down from partial hospitalization for panic."),
    ("trauma", False): (
        "Nightmares and flashbacks since an assault last year.",
        "Startles at loud noises since military service; avoids crowds.",
        "Numb and on edge since a car crash in which a friend died.",
        "Stepped down from inpatient care after a crisis tied to past trauma."),
    ("trauma", True): (
        "Nightmares and flashbacks since a house fire last winter.",
        "On edge and angry since witnessing violence at home.",
        "Avoids school since an assault on the bus.",
        "Stepped down from inpatient care after a crisis tied to past trauma."),
    ("adjustment", False): (
        "Tearful and anxious since moving across the country for work.",
        "Struggling since a layoff; fighting with a partner.",
        "Overwhelmed caring for a sick parent.",
        "Not coping since a breakup; missing work."),
    ("adjustment", True): (
        "Tearful and anxious since the family moved and changed schools.",
        "Struggling since the parents separated; fighting at home.",
        "Overwhelmed since a grandparent moved in ill.",
        "Not coping since a breakup; skipping school."),
    ("bipolar", False): (
        "Depressed after a period of little sleep and big spending.",
        "Mood swings; stopped mood-stabilizing medication in the summer.",
        "Hospitalized in October for mania; now depressed.",
        "Stepped down from inpatient care after a manic episode."),
    ("bipolar", True): (
        "Weeks of little sleep and racing thoughts, then a crash into low mood.",
        "Mood swings; stopped medication because of weight gain.",
        "Hospitalized in October for mania; now depressed.",
        "Stepped down from inpatient care after a manic episode."),
    ("adhd", True): (
        "Cannot focus in class; failing two subjects; conflict over homework.",
        "Impulsive at school; suspended twice this term.",
        "Forgets assignments; parents and teachers frustrated.",
        "Stepped down from partial hospitalization; attention problems at school."),
}
PRESENTING_PROBLEMS[("adhd", False)] = PRESENTING_PROBLEMS[("adhd", True)]

SUBSTANCE_HISTORIES: dict[tuple[str, bool], str] = {
    ("alcohol", False): "Drinking since age 17; up to a fifth of vodka a day over the last "
                        "year; two failed attempts to cut down.",
    ("alcohol", True): "First drink at 13; drinking at weekend parties since 14, now alone on "
                       "school nights.",
    ("opioid", False): "Prescribed oxycodone after a back injury in 2019; street fentanyl since "
                       "last year; one overdose.",
    ("opioid", True): "Pills bought from friends since 15; now most days; denies injecting.",
    ("cannabis", False): "Daily cannabis since the late teens; uses on waking and before sleep.",
    ("cannabis", True): "Vaping nicotine and cannabis since age 14; denies alcohol.",
    ("stimulant", False): "Stimulant use for two years, heaviest in the last six months; "
                          "drinks to come down.",
    ("stimulant", True): "Stimulants at parties and to study since 15; cannabis to sleep.",
}
NO_SUBSTANCE_HISTORY = {False: "Drinks socially, one or two drinks a week; denies other drug "
                               "use.",
                        True: "Denies alcohol and drug use; tried vaping once."}
MENTAL_HEALTH_HISTORIES = {
    "depression": "Low mood for most of the last two years; one prior course of outpatient "
                  "therapy.",
    "anxiety": "Worry and panic since school; prior outpatient counseling helped for a time.",
    "trauma": "Trauma symptoms since the event; no prior treatment for them.",
    "adjustment": "No prior treatment; symptoms began with the recent change.",
    "bipolar": "Mood episodes since the early twenties; followed by a psychiatrist.",
    "adhd": "Attention problems since primary school; evaluated at age 9.",
}
