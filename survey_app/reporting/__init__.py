"""Staff, partner and public reports: a survey's responses as reports read them (`parts`,
stored once in the database for every server, in the form `columnar` describes), kept in
memory per process (`snapshots`), the figures `analysis` computes from them with their labels
(`figures`), the rows pages and downloads show (`rows`), and the partner portal's own counts
(`partner`)."""
