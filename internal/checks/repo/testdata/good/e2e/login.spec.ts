test("login", () => {});
