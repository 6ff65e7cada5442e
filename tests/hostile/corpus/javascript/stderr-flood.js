const line = 'e'.repeat(200);
for (;;) console.error(line);
