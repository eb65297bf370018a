"""Names for the synthetic district: fixed lists, so one seed always gives the same people.

Families are drawn from heritage groups in roughly the proportions of a Connecticut city
district (a large Puerto Rican and Dominican community among them). The personas' surnames are
left out of the lists, so a search for "Lopez" or "Brooks" in the demo finds only the cast.
"""

import unicodedata


def _names(text: str) -> list[str]:
    """A list from whitespace-separated names (compound names are hyphenated, never spaced)."""
    return text.split()


HISPANIC = "hispanic"
EUROPEAN = "european"
BLACK = "black"
ASIAN = "asian"
AFRICAN_MENA = "african_mena"

# Heritage group and its share of families.
GROUP_WEIGHTS: list[tuple[str, float]] = [
    (HISPANIC, 0.34),
    (EUROPEAN, 0.38),
    (BLACK, 0.13),
    (ASIAN, 0.10),
    (AFRICAN_MENA, 0.05),
]

SURNAMES: dict[str, list[str]] = {
    HISPANIC: _names(
        """
Garcia Rodriguez Martinez Hernandez Gonzalez Perez Sanchez Ramirez Torres Flores
Gomez Diaz Reyes Morales Cruz Ortiz Gutierrez Ramos Ruiz Alvarez Mendoza Castillo
Jimenez Vasquez Romero Herrera Medina Aguilar Vargas Castro Guzman Fernández
Santiago Colón Negrón Figueroa Rosario Vega Soto Delgado Núñez Acevedo Quiñones
Serrano Pagán Burgos Maldonado Velázquez Cintrón Báez Marrero Ocasio Peña Montañez
Ayala Espinal
"""
    ),
    EUROPEAN: _names(
        """
Smith Johnson Williams Miller Davis Wilson Anderson Thomas Moore Martin Thompson
White Harris Clark Lewis Walker Young Allen King Wright Scott Hill Green Adams Baker
Nelson Mitchell Roberts Turner Phillips Campbell Parker Evans Edwards Collins
Stewart Murphy Cook Rogers Cooper Peterson Reed Bailey Kelly Howard Ward Richardson
Wood Watson Bennett Gray Hughes Price Sullivan O'Brien Fitzgerald Flynn Kowalski
Nowak Wiśniewski DeLuca Russo Romano Esposito Ferrara Costa Ferreira Silva Santos
Pereira Almeida Murray Byrne Lindqvist Schmidt Becker Dubois Moreau Novak Horvat
"""
    ),
    BLACK: _names(
        """
Washington Jefferson Banks Jenkins Coleman Simmons Hayes Freeman Wallace Robinson
Jackson Harris Johnson Williams Brown Davis Thomas Walker Bryant Alexander Griffin
Russell Dixon Holmes Mack Pierre Baptiste Joseph Charles Clarke Campbell Francis
McKenzie Thompson
"""
    ),
    ASIAN: _names(
        """
Nguyen Tran Le Pham Patel Shah Singh Kumar Gupta Wang Li Zhang Liu Yang Huang Park
Choi Tanaka Suzuki Sato Khan Ali Hussain Rahman Das Reddy Iyer Santos Cruz Vo Hoang
Lim Chowdhury Bhatt
"""
    ),
    AFRICAN_MENA: _names(
        """
Mensah Adeyemi Owusu Diallo Nwosu Boateng Okeke Abubakar Haddad Khoury Nasser
Mansour Saleh Yilmaz Demir Tesfaye Bekele Kamara Traoré Osei
"""
    ),
}

# Children's first names (born roughly 2008-2021), by heritage group and sex.
CHILD_FIRST: dict[str, dict[str, list[str]]] = {
    HISPANIC: {
        "F": _names(
            """
Camila Sofía Valentina Isabella Gabriela Ximena Daniela Lucía Mariana Natalia
Victoria Valeria Génesis Yaretzi Alondra Catalina Renata Adriana Paola Emily Ashley
Aaliyah Luna Mía Amelia Jazmín Nayeli Esmeralda Andrea Melanie
"""
        ),
        "M": _names(
            """
Santiago Sebastián Diego Alejandro Carlos Luis José Miguel Ángel Javier Andrés
Adrián Gael Emiliano Julián Leonardo Jayden Dylan Kevin Christopher Jeremiah Isaac
Joel Elías Jonathan Anthony Joshua Ezequiel Nicolás Iker
"""
        ),
    },
    EUROPEAN: {
        "F": _names(
            """
Olivia Ava Charlotte Amelia Harper Evelyn Abigail Ella Elizabeth Hannah Grace Chloe
Lily Nora Leah Claire Audrey Madison Riley Avery Katherine Caroline Molly Julia Anna
Zoe Maeve Quinn Hazel Violet
"""
        ),
        "M": _names(
            """
Liam Oliver James William Henry Lucas Benjamin Theodore Jack Owen Ryan Caleb Nathan
Samuel Matthew Connor Nicholas Thomas Patrick Aidan Luke Cole Gavin Wyatt Max Colin
Declan Logan Mason
"""
        ),
    },
    BLACK: {
        "F": _names(
            """
Aaliyah Zoe Nia Imani Jada Kennedy Ayanna Zuri Brielle Taylor Destiny Janae Makayla
Skylar Amara Naomi Journee Kiara Trinity Aniyah
"""
        ),
        "M": _names(
            """
Jayden Malik Isaiah Jamal Andre Marcus Elijah Josiah Xavier Darius Cameron Jalen
Micah Khalil Jordan Tyrese Zion Amir Caleb Dominic
"""
        ),
    },
    ASIAN: {
        "F": _names(
            """
Priya Ananya Aisha Mei Hana Linh Yuna Jiwoo Sakura Anika Diya Fatima Zara Kim-Anh
Emily Grace Chloe Sophie Riya Maryam
"""
        ),
        "M": _names(
            """
Arjun Rohan Aarav Vihaan Omar Yusuf Ibrahim Wei Jun Minh Hiroshi Kenji Minjun Ethan
Ryan Aryan Ayaan Hamza Bao Daniel
"""
        ),
    },
    AFRICAN_MENA: {
        "F": _names(
            """
Amara Chiamaka Ngozi Abena Efua Layla Yasmin Nour Salma Fatou Aminata Hiba Rania
Selam Hanna
"""
        ),
        "M": _names(
            """
Kwame Chinedu Emeka Kofi Yaw Omar Karim Youssef Ahmed Mamadou Ousmane Elias Samir
Dawit Tariq
"""
        ),
    },
}

# Parents' and staff first names (born roughly 1965-1995).
ADULT_FIRST: dict[str, dict[str, list[str]]] = {
    HISPANIC: {
        "F": _names(
            """
María Rosa Carmen Ana Yolanda Claudia Patricia Verónica Marisol Lourdes Elena Gloria
Yesenia Jessica Vanessa Luz Maribel Sonia Iris Nilda Migdalia Jennifer Melissa Wanda
"""
        ),
        "M": _names(
            """
José Juan Luis Carlos Jorge Miguel Pedro Ricardo Héctor Francisco Manuel Rafael
Edwin Wilfredo Ángel Víctor Raúl Efraín Jesús Fernando Roberto Alberto
"""
        ),
    },
    EUROPEAN: {
        "F": _names(
            """
Jennifer Jessica Ashley Amanda Melissa Michelle Stephanie Nicole Lisa Karen Sarah
Laura Rebecca Heather Megan Kristen Erin Katie Colleen Allison Meredith Beth
"""
        ),
        "M": _names(
            """
Michael Christopher Matthew Joshua James Robert John Joseph Brian Jason Ryan Eric
Mark Sean Timothy Jeffrey Scott Patrick Gregory Stephen Andrew Paul
"""
        ),
    },
    BLACK: {
        "F": _names(
            """
Latoya Tamika Keisha Ebony Tiffany Monique Aisha Shanice Danielle Crystal Tanya
Angela Nicole Yvette Kimberly
"""
        ),
        "M": _names(
            """
Darnell Terrence Andre Jamal Marcus Derrick Tyrone Cedric Anthony Reginald Curtis
Dwayne Maurice Kevin Jerome
"""
        ),
    },
    ASIAN: {
        "F": _names(
            """
Mei Lan Hyun-joo Min-ji Yuki Priya Sunita Anjali Thu Huong Fatima Nasreen Xiaoling
Eun-ji Kavya
"""
        ),
        "M": _names(
            """
Wei Jian Hiroshi Takeshi Raj Sanjay Vikram Ahmed Tuan Duc Sung-min Jae-won Imran
Anil Hao
"""
        ),
    },
    AFRICAN_MENA: {
        "F": _names(
            """
Ngozi Adaeze Abena Akosua Fatoumata Leila Rana Samira Mariam Tigist
"""
        ),
        "M": _names(
            """
Emeka Chukwudi Kwabena Kofi Moussa Khaled Nabil Hassan Bilal Tesfaye
"""
        ),
    },
}

# Students who go by a short form of their legal first name.
NICKNAMES: dict[str, str] = {
    "Alejandro": "Alex",
    "Christopher": "Chris",
    "Benjamin": "Ben",
    "Samuel": "Sam",
    "Nicholas": "Nick",
    "Katherine": "Katie",
    "Abigail": "Abby",
    "Gabriela": "Gabby",
    "Jonathan": "Jon",
    "Daniela": "Dani",
    "Elizabeth": "Liz",
    "William": "Will",
    "Matthew": "Matt",
    "Theodore": "Teddy",
    "Valentina": "Vale",
    "Sebastián": "Sebas",
    "Victoria": "Tori",
    "Madison": "Maddie",
    "Patrick": "Paddy",
    "Leonardo": "Leo",
    "Emiliano": "Emi",
    "Thomas": "Tom",
    "Caroline": "Carrie",
}

# Middle names, by sex.
MIDDLE: dict[str, list[str]] = {
    "F": _names("Marie Rose Grace Ann Lynn Elizabeth Isabel Guadalupe Luz Joy Hope Jean Amani"),
    "M": _names("James Michael Alexander José Luis Antonio Lee Jordan Noel Kai Paul Ray Amir"),
}

# Street addresses for the demo's households: ordinary street names, and towns that do not
# exist (ZIP codes in the 06xxx range used by Connecticut, none of them a real town's pairing).
STREETS = [
    "Maple Street",
    "Oak Avenue",
    "Elm Street",
    "Church Street",
    "Mill Road",
    "Orchard Lane",
    "River Road",
    "Highland Avenue",
    "School Street",
    "Pleasant Street",
    "Cedar Lane",
    "Prospect Hill Road",
    "Washington Street",
    "Laurel Drive",
    "Brook Street",
    "Meadow Lane",
]
TOWNS = [
    ("Homeroom", "06990"),
    ("East Homeroom", "06991"),
    ("Homeroom Center", "06992"),
    ("North Fairhaven", "06993"),
    ("Westbrook Falls", "06994"),
]


def ascii_fold(text: str) -> str:
    """Lower-case letters only, accents removed: "Núñez-O'Brien" → "nunezobrien"."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if c.isascii() and c.isalpha()).lower()
