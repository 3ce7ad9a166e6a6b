"""The course catalogue of the course-rating data set, defects included.

About one course in twenty has no programming_language (the data set's known
defect), and descriptions carry commas, double quotes and line breaks so CSV
readers are forced to honour quoting.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

_TITLES: dict[str, tuple[str, ...]] = {
    "python": (
        "Introduction to Python",
        "Intermediate Python",
        "Data Manipulation with pandas",
        "Joining Data with pandas",
        "Cleaning Data in Python",
        "Introduction to Data Visualization with Matplotlib",
        "Introduction to Data Visualization with Seaborn",
        "Writing Efficient Python Code",
        "Writing Functions in Python",
        "Object-Oriented Programming in Python",
        "Supervised Learning with scikit-learn",
        "Unsupervised Learning in Python",
        "Introduction to Deep Learning in Python",
        "Working with Dates and Times in Python",
        "Regular Expressions in Python",
        "Web Scraping in Python",
        "Time Series Analysis in Python",
        "Introduction to Statistics in Python",
        "Hypothesis Testing in Python",
        "Sampling in Python",
        "Introduction to Regression with statsmodels in Python",
        "Streamlined Data Ingestion with pandas",
        "Introduction to Natural Language Processing in Python",
        "Parallel Programming with Dask in Python",
        "Introduction to PySpark",
        "Unit Testing for Data Science in Python",
        "Software Engineering Principles in Python",
        "Building Data Engineering Pipelines in Python",
    ),
    "r": (
        "Introduction to R",
        "Intermediate R",
        "Introduction to the Tidyverse",
        "Data Manipulation with dplyr",
        "Joining Data with dplyr",
        "Cleaning Data in R",
        "Introduction to Data Visualization with ggplot2",
        "Intermediate Data Visualization with ggplot2",
        "Reporting with R Markdown",
        "Writing Efficient R Code",
        "Introduction to Writing Functions in R",
        "Working with Dates and Times in R",
        "String Manipulation with stringr in R",
        "Introduction to Regression in R",
        "Intermediate Regression in R",
        "Generalized Linear Models in R",
        "Machine Learning in the Tidyverse",
        "Supervised Learning in R: Classification",
        "Unsupervised Learning in R",
        "Time Series Analysis in R",
        "Building Web Applications with Shiny in R",
        "Foundations of Probability in R",
        "Introduction to Bioconductor in R",
        "Survival Analysis in R",
        "Bayesian Modeling with RJAGS",
        "Text Mining with Bag-of-Words in R",
    ),
    "sql": (
        "Introduction to SQL",
        "Intermediate SQL",
        "Joining Data in SQL",
        "Data Manipulation in SQL",
        "PostgreSQL Summary Stats and Window Functions",
        "Functions for Manipulating Data in PostgreSQL",
        "Exploratory Data Analysis in SQL",
        "Introduction to Relational Databases in SQL",
        "Database Design",
        "Creating PostgreSQL Databases",
        "Improving Query Performance in SQL Server",
        "Intermediate SQL Server",
        "Time Series Analysis in SQL Server",
        "Hierarchical and Recursive Queries in SQL Server",
        "Building and Optimizing Triggers in SQL Server",
        "Writing Functions and Stored Procedures in SQL Server",
        "Transactions and Error Handling in SQL Server",
        "Introduction to Snowflake SQL",
        "Data-Driven Decision Making in SQL",
        "Analyzing Business Data in SQL",
    ),
    "shell": (
        "Introduction to Shell",
        "Data Processing in Shell",
        "Introduction to Bash Scripting",
        "Conda Essentials",
        "Building Pipelines with make",
        "Managing Files with the Unix Shell",
        "Text Processing with grep, sed and awk",
        "Scheduling Jobs with cron",
        "Version Control with Git from the Shell",
        "Shell Scripting for Data Engineers",
        "Remote Work with ssh and rsync",
    ),
    "spreadsheets": (
        "Data Analysis in Spreadsheets",
        "Intermediate Spreadsheets",
        "Pivot Tables in Spreadsheets",
        "Financial Modeling in Spreadsheets",
        "Data Visualization in Spreadsheets",
        "Conditional Formatting in Spreadsheets",
        "Marketing Analytics in Spreadsheets",
        "Error and Uncertainty in Spreadsheets",
        "Introduction to Statistics in Spreadsheets",
        "Loan Amortization in Spreadsheets",
        "Model a Real Estate Project in Spreadsheets",
        "Data Cleaning in Spreadsheets",
        "Spreadsheet Formulas for Business Reporting",
    ),
}

_TOPICS: dict[str, tuple[str, ...]] = {
    "python": (
        "pandas DataFrames",
        "list comprehensions",
        "NumPy arrays",
        "scikit-learn pipelines",
        "generators",
        "context managers",
        "Matplotlib figures",
        "groupby aggregations",
        "datetime arithmetic",
        "unit tests with pytest",
    ),
    "r": (
        "tibbles",
        "the pipe operator",
        "ggplot2 layers",
        "dplyr verbs",
        "factor levels",
        "purrr iteration",
        "R Markdown reports",
        "linear models",
        "Shiny reactivity",
    ),
    "sql": (
        "SELECT statements",
        "inner and outer joins",
        "window functions",
        "CASE expressions",
        "subqueries",
        "common table expressions",
        "indexes",
        "transactions",
        "GROUP BY and HAVING",
    ),
    "shell": (
        "pipes and redirection",
        "wildcards",
        "grep and sed",
        "shell variables",
        "for loops",
        "file permissions",
        "cron schedules",
        "exit codes",
    ),
    "spreadsheets": (
        "VLOOKUP",
        "pivot tables",
        "conditional formatting",
        "named ranges",
        "IF formulas",
        "charts",
        "data validation",
        "what-if analysis",
    ),
}

_LANGUAGE_NAMES = {"python": "Python", "r": "R", "sql": "SQL", "shell": "the shell", "spreadsheets": "spreadsheets"}

_DESCRIPTION_TEMPLATES = (
    "Learn {0}, {1} and {2} in {language}.",
    'This course, rated "essential" by learners, covers {0} and {1}.',
    "What you'll learn:\n- {0}\n- {1}\n- {2}",
    'You will work through exercises on {0}, then apply "{1}" to a real data set.',
    "A hands-on introduction to {0}. Along the way, you'll meet {1}, {2}, and more.",
    "Build on what you know about {language}:\nmaster {0}, {1}, and {2}.",
)

MISSING_LANGUAGE_SHARE = 0.05


def _description(language: str, rng: np.random.Generator) -> str:
    template = _DESCRIPTION_TEMPLATES[rng.integers(len(_DESCRIPTION_TEMPLATES))]
    topics = rng.choice(_TOPICS[language], size=3, replace=False)
    return template.format(*topics, language=_LANGUAGE_NAMES[language])


def generate_courses(rng: np.random.Generator) -> pa.Table:
    """One row per course, ids 1..n in a seed-dependent order of the catalogue."""
    catalogue = [(title, language) for language, titles in _TITLES.items() for title in titles]
    order = rng.permutation(len(catalogue))
    titles = [catalogue[index][0] for index in order]
    descriptions = [_description(catalogue[index][1], rng) for index in order]
    missing = set(rng.choice(len(order), size=round(len(order) * MISSING_LANGUAGE_SHARE), replace=False).tolist())
    languages = [None if position in missing else catalogue[index][1] for position, index in enumerate(order)]
    return pa.table(
        {
            "course_id": pa.array(np.arange(1, len(titles) + 1), pa.int64()),
            "title": pa.array(titles, pa.string()),
            "description": pa.array(descriptions, pa.string()),
            "programming_language": pa.array(languages, pa.string()),
        }
    )
