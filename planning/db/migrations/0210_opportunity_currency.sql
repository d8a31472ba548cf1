-- Issue #16: a file's currency column (Salesforce `Amount Currency` / CurrencyIsoCode, Pipedrive
-- `Deal - Currency`) is kept per opportunity, so a deal's amount says what it is in. No exchange
-- rates: KPIs sum amounts as written, and an import whose rows are not in the book's currency
-- (setting `currency`, USD: the app shows $) warns with the count and the first lines.
ALTER TABLE opportunity ADD COLUMN currency VARCHAR;
INSERT INTO setting (key, value) SELECT 'currency', 'USD' WHERE NOT EXISTS (SELECT 1 FROM setting WHERE key = 'currency');
