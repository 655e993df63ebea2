export * from './barcode';
export * from './variable-measure';
export * from './catalog-schemas';
export * from './category-tree';
export * from './catalog-index';
