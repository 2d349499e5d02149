// matmul.ts - placeholder until the matmul family lands
export {};
