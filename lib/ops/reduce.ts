// reduce.ts - placeholder until the reduce family lands
export {};
