"""Vocabulary for the demo generator: skills, regions, names, sentence templates.

Plain data only, so the generator (``demo.py``) stays readable.
"""

from __future__ import annotations

SKILLS: dict[str, tuple[str, ...]] = {
    "engineering": (
        "Python", "Java", "Go", "Rust", "TypeScript", "JavaScript", "C++", "C#", "Kotlin",
        "Swift", "Ruby", "PHP", "Scala", "Elixir", "SQL", "GraphQL", "REST API design",
        "Django", "React", "Vue.js", "Angular", "Node.js", "Spring Boot", ".NET",
        "Android development", "iOS development", "Flutter", "Kubernetes", "Docker",
        "Terraform", "AWS", "Google Cloud", "Azure", "Linux administration", "CI/CD",
        "Site reliability engineering", "Observability", "Distributed systems",
        "System design", "Microservices", "Event-driven architecture", "Kafka", "PostgreSQL",
        "Redis", "Elasticsearch", "Performance tuning", "Security engineering",
        "Threat modelling", "Identity and access management", "Test automation",
        "Code review", "Refactoring legacy code", "Domain-driven design", "Embedded systems",
        "Networking", "WebAssembly", "Accessibility engineering", "Frontend performance",
        "Technical writing", "Open source maintenance",
    ),
    "data": (
        "Data analysis", "Statistics", "Machine learning", "Deep learning",
        "Natural language processing", "Computer vision", "MLOps", "Data engineering",
        "Apache Spark", "Airflow", "dbt", "Data modelling", "Data warehousing",
        "A/B testing", "Experiment design", "Causal inference", "Forecasting",
        "Time series analysis", "Recommendation systems", "Pandas", "NumPy", "scikit-learn",
        "PyTorch", "TensorFlow", "R", "Tableau", "Power BI", "Looker", "Data visualisation",
        "Data governance", "Privacy engineering", "Bayesian statistics", "Econometrics",
        "Large language models", "Prompt engineering", "Geospatial analysis",
    ),
    "design": (
        "User research", "Interaction design", "Visual design", "Design systems",
        "Prototyping", "Figma", "Usability testing", "Information architecture",
        "Service design", "Content design", "UX writing", "Inclusive design",
        "Motion design", "Brand design", "Illustration", "Design critique",
        "Journey mapping", "Workshop facilitation",
    ),
    "product": (
        "Product strategy", "Product discovery", "Roadmapping", "Prioritisation",
        "Product analytics", "Pricing", "Go-to-market", "Customer interviews",
        "Writing product specs", "OKRs", "Growth experiments", "Platform product management",
        "B2B SaaS", "Marketplace dynamics", "Stakeholder management", "Agile delivery",
        "Scrum", "Kanban", "Program management", "Risk management", "Vendor management",
        "Business case writing",
    ),
    "leadership": (
        "People management", "Hiring and interviewing", "Onboarding new hires",
        "Performance reviews", "Giving feedback", "Receiving feedback", "Coaching",
        "Mentoring", "Delegation", "Building team culture", "Managing managers",
        "Organisational design", "Budgeting", "Strategic planning", "Change management",
        "Conflict resolution", "Decision making", "Leading remote teams",
        "Diversity and inclusion", "Career development", "Executive presence",
        "Leading through ambiguity", "Engineering management", "Technical leadership",
        "Building psychological safety",
    ),
    "communication": (
        "Public speaking", "Presentation skills", "Storytelling", "Writing for executives",
        "Negotiation", "Influencing without authority", "Active listening",
        "Facilitating meetings", "Cross-cultural communication", "Difficult conversations",
        "Professional networking", "Personal branding", "Async communication", "Documentation",
        "Conference talks", "Teaching and training", "Business English",
    ),
}
ALL_SKILLS: tuple[str, ...] = tuple(skill for skills in SKILLS.values() for skill in skills)

# Which skill areas each department draws from most.
DEPARTMENTS: dict[str, tuple[str, ...]] = {
    "Platform Engineering": ("engineering", "leadership"),
    "Mobile": ("engineering", "design"),
    "Web": ("engineering", "design"),
    "Infrastructure": ("engineering",),
    "Security": ("engineering", "communication"),
    "Data Science": ("data", "communication"),
    "Analytics": ("data", "product"),
    "Machine Learning": ("data", "engineering"),
    "Product Management": ("product", "communication"),
    "Design": ("design", "product"),
    "Research": ("design", "data"),
    "Customer Success": ("communication", "product"),
    "People & Culture": ("leadership", "communication"),
    "Finance": ("data", "leadership"),
    "Marketing": ("communication", "product"),
    "Operations": ("product", "leadership"),
}

# (IANA time zone, cities, languages with their weights)
REGIONS: tuple[tuple[str, tuple[str, ...], tuple[tuple[str, float], ...]], ...] = (
    ("America/Los_Angeles", ("San Francisco", "Seattle", "Los Angeles", "Vancouver"),
     (("en", 1.0), ("es", 0.25), ("zh", 0.1))),
    ("America/New_York", ("New York", "Toronto", "Boston", "Atlanta"),
     (("en", 1.0), ("es", 0.2), ("fr", 0.1))),
    ("America/Sao_Paulo", ("São Paulo", "Rio de Janeiro", "Buenos Aires", "Porto Alegre"),
     (("pt", 0.9), ("es", 0.4), ("en", 0.7))),
    ("Europe/London", ("London", "Manchester", "Dublin", "Edinburgh"),
     (("en", 1.0), ("fr", 0.1), ("pl", 0.08))),
    ("Europe/Berlin", ("Berlin", "Munich", "Amsterdam", "Paris", "Madrid", "Warsaw"),
     (("de", 0.5), ("en", 0.9), ("fr", 0.2), ("es", 0.15), ("nl", 0.1), ("pl", 0.1))),
    ("Africa/Lagos", ("Lagos", "Abuja", "Accra", "Nairobi"),
     (("en", 1.0), ("yo", 0.3), ("ha", 0.15), ("sw", 0.1), ("fr", 0.1))),
    ("Asia/Kolkata", ("Bengaluru", "Mumbai", "Hyderabad", "Pune", "Delhi"),
     (("en", 1.0), ("hi", 0.6), ("ta", 0.15), ("te", 0.1), ("kn", 0.1))),
    ("Asia/Singapore", ("Singapore", "Kuala Lumpur", "Jakarta", "Manila"),
     (("en", 1.0), ("zh", 0.35), ("ms", 0.2), ("id", 0.15), ("tl", 0.1))),
    ("Australia/Sydney", ("Sydney", "Melbourne", "Brisbane", "Auckland"),
     (("en", 1.0), ("zh", 0.1), ("vi", 0.05))),
    ("Asia/Tokyo", ("Tokyo", "Osaka", "Seoul"),
     (("ja", 0.7), ("en", 0.8), ("ko", 0.25))),
)
# How many participants each region has, relative to the others.
REGION_WEIGHTS = (0.14, 0.16, 0.09, 0.14, 0.15, 0.07, 0.11, 0.07, 0.04, 0.03)

FIRST_NAMES = (
    "Ana", "Bruno", "Chen", "Deepa", "Emeka", "Fatima", "Gustavo", "Hana", "Ibrahim", "Julia",
    "Kwame", "Lena", "Mateo", "Nadia", "Oluwaseun", "Priya", "Quentin", "Rosa", "Sanjay",
    "Tomás", "Uma", "Viktor", "Wei", "Ximena", "Yusuf", "Zainab", "Aiko", "Ben", "Camila",
    "Dmitri", "Elif", "Felipe", "Grace", "Hiroshi", "Ifeoma", "Jonas", "Kavya", "Liam", "Mei",
    "Noah", "Olga", "Pedro", "Rahul", "Sofia", "Tariq", "Valentina", "Wanjiru", "Yara",
    "Zoe", "Amara", "Arjun", "Beatriz", "Carlos", "Chloé", "Daniel", "Divya", "Emma", "Farah",
    "Gabriel", "Ingrid", "Ji-woo", "Kofi", "Laura", "Lucas", "Maria", "Mohammed", "Nikhil",
    "Nour", "Oscar", "Paula", "Ravi", "Sara", "Siddharth", "Thandiwe", "Tunde", "Yuki",
)
LAST_NAMES = (
    "Silva", "Okafor", "Wang", "Sharma", "Müller", "Nguyen", "García", "Kowalski", "Tanaka",
    "Adeyemi", "Johnson", "Rossi", "Kim", "Patel", "Oliveira", "Schmidt", "Mensah", "Dubois",
    "Hernández", "Singh", "Ivanova", "Lee", "Costa", "Brown", "Nakamura", "Haddad", "Eze",
    "Andersson", "Fernandes", "Chowdhury", "Smith", "Martínez", "Wójcik", "Lopes", "Iyer",
    "Osei", "Bakker", "Chen", "Murphy", "Yilmaz", "Santos", "Reddy", "Abubakar", "Dlamini",
    "Park", "Novak", "Moreau", "Khan", "O'Brien", "Zhang", "Suzuki", "Pereira", "Kariuki",
    "Nair", "Becker", "Alvarez", "Tan", "Lim", "Wilson", "Gupta",
)

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
    "move into a senior role within a year", "lead my first project end to end",
    "present our work to leadership with confidence", "switch from support into engineering",
    "become the go-to person on my team for this", "ship a side project I'm proud of",
    "prepare for a promotion conversation", "mentor others in turn",
    "run our team's planning without help", "earn a certification I've been putting off",
    "make better decisions under pressure", "build a portfolio for my next move",
    "feel less like an impostor in technical discussions", "manage a team for the first time",
    "speak at an internal conference", "write design docs people actually read",
    "balance delivery with my own learning", "stay hands-on while taking on leadership",
    "transition into product management", "contribute to an open-source project",
    "work well with colleagues across time zones", "negotiate scope with stakeholders",
    "understand the business side of our product", "build a network outside my team",
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
    "ask a lot of questions before giving advice", "work through concrete examples",
    "give direct, specific feedback", "set small goals between sessions",
    "share stories from my own career", "point to good reading material",
    "pair on real problems", "focus on long-term career direction",
    "keep sessions short and practical", "help people find their own answers",
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

IDENTITY_ATTRIBUTES = (
    "woman", "non-binary", "LGBTQ+", "first-generation professional", "parent", "carer",
    "career changer", "immigrant", "person with a disability", "neurodivergent",
    "racial or ethnic minority", "veteran", "returner after a career break",
)

# Availability patterns in local time: (name, windows as (weekday options, start hours, length)).
AVAILABILITY_PATTERNS = ("working_hours", "evenings", "split", "mornings", "weekend")
PATTERN_WEIGHTS = (0.45, 0.2, 0.15, 0.12, 0.08)
FORMATS = ("virtual", "in_person", "any")
FORMAT_WEIGHTS = (0.55, 0.1, 0.35)
CADENCES = ("weekly", "biweekly", "monthly", "quarterly")
CADENCE_WEIGHTS = (0.2, 0.45, 0.3, 0.05)
