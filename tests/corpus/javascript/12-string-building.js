// Building strings: reverse, palindrome check, caesar cipher
function reverse(s) {
  let out = '';
  for (let i = s.length - 1; i >= 0; i--) {
    out += s[i];
  }
  return out;
}

function isPalindrome(s) {
  const clean = s.toLowerCase().replace(/[^a-z]/g, '');
  return clean === reverse(clean);
}

function caesar(s, k) {
  let res = '';
  for (const ch of s) {
    const code = ch.charCodeAt(0);
    if (code >= 97 && code <= 122) res += String.fromCharCode(((code - 97 + k) % 26) + 97);
    else res += ch;
  }
  return res;
}

console.log(reverse('tracecast'), isPalindrome('A man, a plan, a canal: Panama'), caesar('hello world', 3));
