"""Word pools for the generator: names from many languages (with accents and transliterations),
places, companies, and the phrases titles and bios are built from. Data only."""

# given names; a tuple gives transliteration variants the same person may appear under
GIVEN = [
    "James", "John", "Robert", "Michael", "David", "William", "Richard", "Thomas", "Daniel", "Matthew",
    "Mary", "Patricia", "Jennifer", "Linda", "Elizabeth", "Susan", "Jessica", "Sarah", "Karen", "Emily",
    "Anna", "Laura", "Julia", "Sophie", "Clara", "Hannah", "Lena", "Marie", "Eva", "Nina",
    "José", "María", "Jesús", "Andrés", "Sofía", "Lucía", "Martín", "Álvaro", "Inés", "Raúl",
    "François", "Hélène", "Élodie", "Jérôme", "Séverine", "Loïc", "Noël", "Zoë", "Chloé", "Benoît",
    "Jürgen", "Jörg", "Björn", "Søren", "Åsa", "Ørjan", "Uwe", "Günther", "Käthe", "Mathias",
    "Łukasz", "Paweł", "Michał", "Wojciech", "Małgorzata", "Agnieszka", "Tomasz", "Krzysztof",
    "Sergey", "Dmitry", "Alexey", "Yuri", "Natalia", "Olga", "Ekaterina", "Ivan", "Mikhail", "Andrei",
    "Mohammed", "Ahmed", "Fatima", "Omar", "Aisha", "Youssef", "Layla", "Hassan", "Karim", "Nour",
    "Wei", "Li", "Jing", "Xiaoming", "Yan", "Hao", "Lei", "Min", "Yu", "Jun",
    "Hiroshi", "Yuki", "Takashi", "Kenji", "Sakura", "Haruto", "Aiko", "Ren",
    "Ji-hoon", "Min-jun", "Seo-yeon", "Hyun-woo", "Soo-jin",
    "Arjun", "Priya", "Rahul", "Ananya", "Vikram", "Deepika", "Sanjay", "Kavya", "Rohan", "Neha",
    "Oluwaseun", "Chinedu", "Amara", "Kwame", "Ngozi", "Tunde",
    "Giulia", "Marco", "Francesca", "Luca", "Matteo", "Chiara", "Niccolò",
    "João", "Gonçalo", "Conceição", "Tiago", "Beatriz",
    "Mehmet", "Ayşe", "Çağrı", "Özge", "Emre", "Şükrü",
    "Nguyễn", "Thảo", "Minh", "Linh",
    "Alex", "Sam", "Chris", "Jordan", "Taylor", "Robin", "Kai", "Noah", "Mia", "Leo",
]
# transliteration / spelling variants of the same given name
GIVEN_VARIANTS = {
    "Sergey": ["Sergei", "Serguei"], "Dmitry": ["Dmitrii", "Dmitri"], "Alexey": ["Aleksei", "Alexei"],
    "Yuri": ["Iurii", "Yury"], "Mohammed": ["Muhammad", "Mohamed"], "Youssef": ["Yousef", "Youssif"],
    "Ekaterina": ["Katerina"], "Mikhail": ["Michail"], "Andrei": ["Andrey"], "Natalia": ["Natalya"],
    "Aisha": ["Aysha"], "Ahmed": ["Ahmad"],
}
# family names; EAST marks names often written family-first
FAMILY = [
    "Smith", "Johnson", "Williams", "Brown", "Jones", "Miller", "Davis", "Wilson", "Anderson", "Taylor",
    "Thomas", "Moore", "Martin", "Jackson", "Thompson", "White", "Harris", "Clark", "Lewis", "Walker",
    "García", "Martínez", "Rodríguez", "López", "González", "Pérez", "Sánchez", "Ramírez", "Núñez", "Peña",
    "Müller", "Schäfer", "Schröder", "Köhler", "Groß", "Weiß", "Jäger", "Krüger", "Vogel", "Becker",
    "Lefèvre", "Dubois", "Moreau", "Girard", "Lemaître", "Bélanger", "Fournier", "Rousseau",
    "Kowalski", "Wiśniewski", "Wójcik", "Kamiński", "Lewandowski", "Zieliński", "Dąbrowski",
    "Ivanov", "Smirnov", "Kuznetsov", "Popov", "Sokolov", "Volkov", "Fedorov", "Morozov",
    "Al-Sayed", "Haddad", "Nasser", "Khalil", "Mansour", "Hussein",
    "Zhang", "Wang", "Liu", "Chen", "Yang", "Huang", "Zhao", "Wu", "Zhou", "Xu",
    "Sato", "Suzuki", "Takahashi", "Tanaka", "Watanabe", "Yamamoto",
    "Kim", "Lee", "Park", "Choi", "Jung",
    "Patel", "Sharma", "Singh", "Kumar", "Gupta", "Reddy", "Iyer", "Nair", "Rao", "Mehta",
    "Okafor", "Adeyemi", "Mensah", "Okonkwo", "Balogun",
    "Rossi", "Russo", "Ferrari", "Esposito", "Bianchi", "Romano",
    "Silva", "Santos", "Ferreira", "Gonçalves", "Conceição",
    "Yılmaz", "Kaya", "Demir", "Şahin", "Çelik", "Öztürk",
    "Nguyen", "Tran", "Le", "Pham",
    "Jansen", "de Vries", "van Dijk", "Bakker", "Visser", "van der Berg",
    "Andersson", "Johansson", "Nilsson", "Hansen", "Larsen", "Virtanen", "Korhonen",
]
EAST = {"Zhang", "Wang", "Liu", "Chen", "Yang", "Huang", "Zhao", "Wu", "Zhou", "Xu",
        "Sato", "Suzuki", "Takahashi", "Tanaka", "Watanabe", "Yamamoto", "Kim", "Lee", "Park", "Choi", "Jung",
        "Nguyen", "Tran", "Le", "Pham"}
# syllables for made-up family names, so that a 200k world is not all homonyms
SYL_A = ["Var", "Tel", "Kor", "Bran", "Mal", "Ost", "Ser", "Dov", "Hal", "Lin", "Mor", "Quin", "Rav",
         "Sten", "Tor", "Ul", "Vel", "Wen", "Yar", "Zel", "Ash", "Bel", "Cor", "Dal", "Fen", "Gar",
         "Hol", "Isk", "Jor", "Kas", "Lom", "Nor", "Pel", "Rud", "Sal", "Tam", "Ves", "Wil"]
SYL_B = ["ovski", "ander", "berg", "mann", "etti", "ström", "escu", "aki", "enko", "ez", "ford", "ley",
         "ton", "ssen", "ini", "ović", "ard", "ell", "quist", "ura", "adze", "yan", "oglu", "stad",
         "worth", "ridge", "mont", "el", "ius", "ak"]

LOCATIONS = [
    "Berlin, Germany", "Berlin", "Munich, Germany", "Hamburg", "London, UK", "London", "Cambridge, UK",
    "Paris, France", "Amsterdam, Netherlands", "Zurich, Switzerland", "Stockholm", "Copenhagen",
    "Warsaw, Poland", "Kraków", "Prague", "Vienna, Austria", "Barcelona, Spain", "Madrid", "Lisbon",
    "Dublin, Ireland", "Helsinki", "Oslo", "Tallinn", "Milan, Italy", "Brussels",
    "San Francisco, CA", "San Francisco Bay Area", "Seattle, WA", "New York, NY", "Boston, MA",
    "Austin, TX", "Toronto, Canada", "Montreal", "Vancouver, BC",
    "Bengaluru, India", "Bangalore", "Hyderabad", "Pune, India", "Beijing, China", "Shanghai",
    "Shenzhen", "Hangzhou", "Tokyo, Japan", "Seoul, South Korea", "Singapore", "Sydney, Australia",
    "Tel Aviv", "Cairo, Egypt", "Lagos, Nigeria", "Nairobi, Kenya", "São Paulo, Brazil",
    "Buenos Aires", "Mexico City", "Istanbul, Turkey", "Moscow", "Remote", "Earth", None,
]
COMPANIES = [
    ("Zalando", "zalando.de"), ("Delivery Hero", "deliveryhero.com"), ("SAP", "sap.com"),
    ("Spotify", "spotify.com"), ("Booking.com", "booking.com"), ("Adyen", "adyen.com"),
    ("Google", "google.com"), ("Meta", "meta.com"), ("Microsoft", "microsoft.com"),
    ("Amazon", "amazon.com"), ("Apple", "apple.com"), ("Netflix", "netflix.com"),
    ("Uber", "uber.com"), ("Airbnb", "airbnb.com"), ("Databricks", "databricks.com"),
    ("Confluent", "confluent.io"), ("Hugging Face", "huggingface.co"), ("Snowflake", "snowflake.com"),
    ("Astronomer", "astronomer.io"), ("dbt Labs", "dbtlabs.com"), ("Elastic", "elastic.co"),
    ("NVIDIA", "nvidia.com"), ("Intel", "intel.com"), ("Shopify", "shopify.com"),
    ("Mistral AI", "mistral.ai"), ("DeepL", "deepl.com"), ("Aleph Alpha", "aleph-alpha.com"),
    ("N26", "n26.com"), ("GetYourGuide", "getyourguide.com"), ("HelloFresh", "hellofresh.com"),
    ("Revolut", "revolut.com"), ("Monzo", "monzo.com"), ("Wise", "wise.com"),
    ("Alibaba", "alibaba-inc.com"), ("Tencent", "tencent.com"), ("ByteDance", "bytedance.com"),
    ("Infosys", "infosys.com"), ("Flipkart", "flipkart.com"), ("Yandex", "yandex-team.ru"),
    ("Tweag", "tweag.io"), ("Quansight", "quansight.com"), ("Anaconda", "anaconda.com"),
    ("Freelance", None), ("Self-employed", None),
]
UNIVERSITIES = [
    "TU Berlin", "TU Munich", "ETH Zurich", "EPFL", "University of Cambridge", "University of Oxford",
    "UCL", "University of Amsterdam", "KTH Royal Institute of Technology", "Sorbonne Université",
    "Inria", "Max Planck Institute for Intelligent Systems", "University of Tübingen",
    "Stanford University", "MIT", "Carnegie Mellon University", "UC Berkeley", "University of Toronto",
    "Mila, Université de Montréal", "Tsinghua University", "Peking University", "KAIST",
    "University of Tokyo", "IIT Bombay", "IISc Bangalore", "National University of Singapore",
    "University of Warsaw", "Charles University", "Universidad de Buenos Aires", "Technion",
]
HANDLE_WORDS = ["quantum", "fox", "pixel", "null", "byte", "tensor", "vector", "otter", "lambda",
                "kernel", "ghost", "neon", "delta", "sigma", "coder", "hacker", "data", "ml", "dev", "ops"]
ORG_WORDS = ["deep", "fast", "open", "data", "stream", "flow", "graph", "vector", "neural", "tiny",
             "hyper", "meta", "auto", "edge", "cloud", "lake", "spark", "sql", "ml", "ai"]
PROJ_WORDS = ["pipeline", "kit", "lab", "engine", "hub", "forge", "bench", "tools", "lib", "core",
              "serve", "store", "ops", "flow", "lens", "guard", "loader", "bridge", "agent", "index"]
LICENSES = ["MIT", "Apache-2.0", "BSD-3-Clause", "GPL-3.0", "MPL-2.0", None]
LABELS = ["bug", "enhancement", "documentation", "performance", "refactor", "tests", "ci", "good first issue"]
BOT_APPS = ["dependabot", "github-actions", "renovate", "pre-commit-ci", "codecov", "mergify"]
DEPENDENCIES = ["numpy", "requests", "pyarrow", "protobuf", "urllib3", "actions/checkout",
                "setuptools", "pydantic", "sqlalchemy", "jinja2", "cryptography", "pytest"]

PR_TITLES = [
    "Add {kw} support to {comp}",
    "Fix {kw} handling in {comp}",
    "Improve {kw} performance in {comp}",
    "Refactor {comp} around {kw}",
    "Support {kw} in {comp}",
    "Handle edge case in {comp} {kw}",
    "Make {comp} {kw} configurable",
    "Speed up {kw} by caching {comp} state",
]
DRIVEBY_TITLES = ["Fix typo in README", "Update README.md", "docs: fix broken link",
                  "Fix typo in docs", "Update installation instructions"]
COMMIT_MSGS = ["Update {comp}", "Fix {kw} test", "Tweak {kw} defaults", "Bump version",
               "Clean up {comp}", "Add {kw} example", "WIP {kw}", "Merge branch 'main'"]
PAPER_TITLES = [
    "{Kw} at Scale: Lessons from {Comp}",
    "Towards Robust {Kw} for {Comp}",
    "Efficient {Kw} with Learned {Comp}",
    "A Benchmark for {Kw} in Production {Comp}",
    "Rethinking {Kw}: A {Comp} Perspective",
    "{Kw}-Aware {Comp} for Machine Learning Systems",
    "On the Limits of {Kw} in {Comp}",
    "Self-Supervised {Kw} via {Comp}",
]
TALK_TITLES = [
    "{Kw} in production: what we learned",
    "Scaling {kw} at {company}",
    "From notebook to {kw}: a practical guide",
    "Debugging {kw} pipelines",
    "{Kw} without the pain",
    "How we built our {kw} platform",
    "A gentle introduction to {kw}",
    "Lessons from five years of {kw}",
]
ROLES_TEXT = ["ML engineer", "data engineer", "MLOps engineer", "research scientist", "software engineer",
              "data scientist", "platform engineer", "PhD student", "staff engineer", "tech lead"]
HOSTILE = [
    ("name", '=HYPERLINK("http://evil.example","click me")'),
    ("name", "+1 555 0100 call me"),
    ("name", "-2+3 Minus"),
    ("name", "@everyone Mention"),
    ("bio", "<script>alert('owned')</script> <b>ML</b> engineer &amp; <img src=x onerror=alert(1)>"),
    ("name", "\u202eEvil Reversed\u202c"),
    ("bio", "control\x07chars\x1b[31m in bio\x08 and a\x00 nul"),
    ("bio", "long " * 2000),
]
