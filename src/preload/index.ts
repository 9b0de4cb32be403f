// Preload: filled in by the foundation (issue #3).
export {};
