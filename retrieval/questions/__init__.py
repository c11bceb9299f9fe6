"""Question analysis: what kind of value a question asks for, its terms, dates, and nested
relations."""
