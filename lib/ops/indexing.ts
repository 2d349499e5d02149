// indexing.ts - placeholder until the indexing family lands
export {};
