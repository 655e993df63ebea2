-- Product search for the till: prefix search over SKU names and codes (FTS5, diacritics folded so
-- "creme" finds "Crème"). An external-content index over `skus`, kept in step by triggers, so the feed
-- apply path does not change and the replica stays the single copy of the data.

CREATE VIRTUAL TABLE sku_search USING fts5(
  name,
  sku,
  content = 'skus',
  content_rowid = 'rowid',
  tokenize = 'unicode61 remove_diacritics 2',
  prefix = '1 2 3'
);

CREATE TRIGGER skus_search_insert AFTER INSERT ON skus
BEGIN
  INSERT INTO sku_search (rowid, name, sku) VALUES (NEW.rowid, NEW.name, NEW.sku);
END;

CREATE TRIGGER skus_search_delete AFTER DELETE ON skus
BEGIN
  INSERT INTO sku_search (sku_search, rowid, name, sku) VALUES ('delete', OLD.rowid, OLD.name, OLD.sku);
END;

CREATE TRIGGER skus_search_update AFTER UPDATE OF name, sku ON skus
BEGIN
  INSERT INTO sku_search (sku_search, rowid, name, sku) VALUES ('delete', OLD.rowid, OLD.name, OLD.sku);
  INSERT INTO sku_search (rowid, name, sku) VALUES (NEW.rowid, NEW.name, NEW.sku);
END;

-- Index the SKUs an upgraded node already holds.
INSERT INTO sku_search (sku_search) VALUES ('rebuild');
