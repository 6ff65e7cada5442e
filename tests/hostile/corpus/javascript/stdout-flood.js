const line = 'flood '.repeat(100);
while (true) console.log(line);
