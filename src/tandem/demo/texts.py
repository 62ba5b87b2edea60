"""Sentence templates for what the made-up people write: a mentee's goals, a mentor's
expertise. Plain data, read by ``people``."""

from __future__ import annotations

GOAL_OPENERS = (
    "I want to get much better at {skill}.",
    "My main goal this year is to become confident with {skill}.",
    "I'd like to grow my {skill} skills from the basics to something I can rely on.",
    "I am looking for help to level up in {skill}.",
    "Over the next six months I hope to learn {skill} properly.",
    "I keep running into {skill} at work and want to understand it deeply.",
    "I recently moved into a role that needs {skill}, and I feel behind.",
    "Learning {skill} is the next step in my career.",
    "I want someone to guide me through {skill} with real examples.",
    "I'm aiming to lead work that depends on {skill}.",
    "Getting comfortable with {skill} would unblock a lot for my team.",
    "I would love to build a solid foundation in {skill}.",
    "I want to go from dabbling in {skill} to using it every week.",
    "{skill} is the gap my manager and I identified in my last review.",
    "I'd like practical guidance on {skill} rather than another course.",
    "I'm curious about {skill} and want to see how experienced people approach it.",
)

GOAL_FOLLOWUPS = (
    "I also want to improve at {skill2}, ideally alongside it.",
    "Some exposure to {skill2} would help too.",
    "Related to that, {skill2} keeps coming up in my projects.",
    "I'd also welcome advice on {skill2}.",
    "Next to that I want to practise {skill2}.",
    "Pairing it with {skill2} would make me far more effective.",
)

GOAL_OUTCOMES = (
    "The aim is to {outcome}.",
    "In the end I want to {outcome}.",
    "Success for me would be to {outcome}.",
    "I'd consider this a win if I could {outcome}.",
    "Ultimately I hope to {outcome}.",
    "My stretch goal is to {outcome}.",
)

OUTCOMES = (
    "move into a senior role within a year",
    "lead my first project end to end",
    "present our work to leadership with confidence",
    "switch from support into engineering",
    "become the go-to person on my team for this",
    "ship a side project I'm proud of",
    "prepare for a promotion conversation",
    "mentor others in turn",
    "run our team's planning without help",
    "earn a certification I've been putting off",
    "make better decisions under pressure",
    "build a portfolio for my next move",
    "feel less like an impostor in technical discussions",
    "manage a team for the first time",
    "speak at an internal conference",
    "write design docs people actually read",
    "balance delivery with my own learning",
    "stay hands-on while taking on leadership",
    "transition into product management",
    "contribute to an open-source project",
    "work well with colleagues across time zones",
    "negotiate scope with stakeholders",
    "understand the business side of our product",
    "build a network outside my team",
)

CONTEXTS = (
    "I work in {department} and most of my day is delivery work.",
    "I joined {department} about a year ago.",
    "I'm based in {city} and work mostly with remote colleagues.",
    "I have been in {department} for several years and want a change of pace.",
    "I'm early in my career and still finding my direction.",
    "I'm a returner after a career break.",
    "I moved to {city} recently and am building a new network.",
    "I prefer concrete exercises and honest feedback.",
    "I learn best by talking through real situations from my week.",
    "I'm a parent, so shorter, focused sessions suit me best.",
    "",
    "",
)

EXPERTISE_OPENERS = (
    "I have spent {years} years working with {skill}.",
    "I've led teams through {skill} work for a long time.",
    "{skill} is my bread and butter; I use it daily.",
    "I can help with {skill}, from first principles to production.",
    "Over {years} years I've built up deep experience in {skill}.",
    "I teach {skill} internally and enjoy it.",
    "Most of my career has revolved around {skill}.",
    "I've hired and coached people in {skill} for {years} years.",
    "I'm happy to share what I've learned about {skill}, including the mistakes.",
    "People usually come to me with questions about {skill}.",
    "I've worked on {skill} at two startups and one large company.",
    "I enjoy helping people get unstuck with {skill}.",
)

EXPERTISE_FOLLOWUPS = (
    "I can also help with {skill2}.",
    "I'm comfortable advising on {skill2} as well.",
    "On the side I've picked up a fair amount of {skill2}.",
    "I also have opinions, mostly useful ones, about {skill2}.",
    "Happy to go into {skill2} too.",
    "{skill2} is another area where I can help.",
)

EXPERTISE_STYLES = (
    "I like to {style}.",
    "My mentoring style is to {style}.",
    "Expect me to {style}.",
    "I try to {style}.",
)

STYLES = (
    "ask a lot of questions before giving advice",
    "work through concrete examples",
    "give direct, specific feedback",
    "set small goals between sessions",
    "share stories from my own career",
    "point to good reading material",
    "pair on real problems",
    "focus on long-term career direction",
    "keep sessions short and practical",
    "help people find their own answers",
)

MOTIVATIONS = (
    "I had great mentors early on and want to pay it forward.",
    "Mentoring keeps me learning, too.",
    "I remember how hard it was to break into {department}.",
    "I'm especially keen to support people from under-represented backgrounds.",
    "I enjoy seeing people grow in confidence.",
    "",
    "",
)
