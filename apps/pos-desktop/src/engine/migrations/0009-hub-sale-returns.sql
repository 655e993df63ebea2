-- Returns anywhere (docs/store-node.md "Returns of another store's sale"): a return against a sale this
-- node does not hold (another store's, another node of this store) names the hub's sale, line and tender
-- ids. They cannot go into original_sale_id, original_line_id and original_tender_id, which reference
-- this node's own sale tables, so they have their own columns; a row has one or the other, never both.
ALTER TABLE returns ADD COLUMN hub_sale_id TEXT CHECK (hub_sale_id IS NULL OR original_sale_id IS NULL);
ALTER TABLE return_lines ADD COLUMN hub_line_id TEXT CHECK (hub_line_id IS NULL OR original_line_id IS NULL);
ALTER TABLE return_refunds ADD COLUMN hub_tender_id TEXT
  CHECK (hub_tender_id IS NULL OR original_tender_id IS NULL);
CREATE INDEX returns_by_hub_sale ON returns (hub_sale_id) WHERE hub_sale_id IS NOT NULL;
