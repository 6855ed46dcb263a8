// Editor checks for entry front matter (VS Code extension unifiedjs.vscode-remark,
// or `npx remark data`): every data/**/*.md is validated against
// schema/entry.schema.json, which `kb schema` generates from the same models
// that `kb check` uses. Install the checker once with `npm install`.
import remarkFrontmatter from 'remark-frontmatter';
import remarkLintFrontmatterSchema from 'remark-lint-frontmatter-schema';

export default {
  plugins: [
    remarkFrontmatter,
    [remarkLintFrontmatterSchema, { schemas: { './schema/entry.schema.json': ['./data/**/*.md'] } }],
  ],
};
