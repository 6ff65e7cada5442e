// Binary search tree: insert, traverse, height
class TreeNode {
  constructor(key) {
    this.key = key;
    this.left = null;
    this.right = null;
  }
}

function insert(root, key) {
  if (root === null) return new TreeNode(key);
  if (key < root.key) root.left = insert(root.left, key);
  else root.right = insert(root.right, key);
  return root;
}

function inorder(node, out = []) {
  if (node) {
    inorder(node.left, out);
    out.push(node.key);
    inorder(node.right, out);
  }
  return out;
}

const height = (n) => (n === null ? 0 : 1 + Math.max(height(n.left), height(n.right)));

let root = null;
for (const k of [50, 30, 70, 20, 40, 60, 80]) root = insert(root, k);
console.log(inorder(root), height(root));
