-- PostgreSQL's search engine ranks every paper matching a keyword query by one ts_rank per query
-- word, and each call read the paper's search document again: a title, abstract and author names
-- make a tsvector of about 2.3 KB, above the 2 KB at which PostgreSQL moves a value out of its row
-- (TOAST), so each read fetched it from the TOAST table and decompressed it. Measured at 50,000
-- papers, those reads were most of a keyword query's CPU time (about 130 ms a pass of about 600 ms). Documents now stay in
-- their rows up to the largest a row can hold (toast_tuple_target), compressed there rather than
-- moved out when a row would not fit (STORAGE MAIN); only longer ones go out. The documents
-- present are rewritten once to move them in (one pass over the table: on a large instance run
-- `paperboy migrate` at a quiet time). The values, and so every ranking, are unchanged.
-- The embedded store's 015 is a no-op. Forward-only.
ALTER TABLE paper_search_documents SET (toast_tuple_target = 8160);
ALTER TABLE paper_search_documents ALTER COLUMN document SET STORAGE MAIN;
-- Concatenating the empty tsvector makes a new value equal to the old, which is stored by the new
-- rules (an unchanged value would keep its out-of-row copy).
UPDATE paper_search_documents SET document = document || ''::tsvector;
