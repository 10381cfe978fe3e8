function fee(n){return n*2}
//# sourceMappingURL=app.3f2a1c9e.js.map
