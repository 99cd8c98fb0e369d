"""Languages: the locale chain and the languages offered (`locale`), how complete each catalog and
survey translation is (`translation_status`), every translated text beside its English
(`translation_texts`) and the translators' glossary (`glossary`)."""
