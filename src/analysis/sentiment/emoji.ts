/**
 * Emoji and emoticons, on the AFINN scale; they mean the same in French and English. The emoji
 * base is the table the `sentiment` package ships (MIT), built from the Emoji Sentiment Ranking
 * 1.0 (Kralj Novak, Smailović, Sluban, Mozetič 2015, CC BY-SA 4.0). A few common emoji are missing
 * there or too mild for how they are used in complaints (😡 is -1): the overrides are by hand.
 * Emoticon values follow VADER's lexicon (× 1.25).
 */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

const OVERRIDES: Record<string, number> = {
  '😡': -4,
  '🤬': -4,
  '😠': -3,
  '👎': -3,
  '💔': -3,
  '🤮': -4,
  '🤢': -3,
  '💩': -3,
  '😢': -2,
  '😞': -2,
  '🙁': -2,
  '☹': -3,
  '😒': -2,
  '🙄': -2,
  '😤': -2,
  '😩': -2,
  '😫': -2,
  '😐': 0,
  '😍': 3,
  '🥰': 3,
  '🤩': 3,
  '😀': 2,
  '🙂': 1.5,
  '😊': 3,
  '👍': 2.5,
  '👏': 2,
  '🙏': 1.5,
  '🔥': 2,
  '💯': 2,
  '🤣': 2,
  '😂': 1,
  '❤': 3,
  '💖': 3,
  '💙': 3,
  '💚': 3,
  '🥳': 3,
};

function emojiTable(): Map<string, number> {
  const base = require('sentiment/build/emoji.json') as Record<string, number>;
  const table = new Map<string, number>();
  for (const [k, v] of Object.entries({ ...base, ...OVERRIDES }))
    table.set(k.replace('\uFE0F', ''), v);
  return table;
}

/** Keyed by the emoji without variation selector. */
export const EMOJI = emojiTable();

/**
 * Anger, contempt and disgust. Closing a sentence, one of these says how the whole sentence is
 * meant: "great service as usual 🙄" is not praise (see ./score.ts). Sadness (😢) is left out: it
 * often closes fond words ("my favourite café is closing 😢").
 */
export const ANGRY = new Set(['😡', '🤬', '😠', '👎', '😤', '🙄', '😒', '💩', '🤮', '>:(', ':@']);

/** Keyed in lower case, as the scanner sees them (":D" is ":d"). */
export const EMOTICONS = new Map<string, number>([
  [':)', 2.5],
  [':-)', 2.5],
  [':))', 3],
  [':)))', 3.5],
  ['=)', 2],
  [':]', 2],
  [':d', 3],
  [':-d', 3],
  [';)', 1.5],
  [';-)', 1.5],
  [';d', 2.5],
  [':p', 1.2],
  [':-p', 1.2],
  [':(', -2.5],
  [':-(', -2.5],
  [':((', -3],
  [':(((', -3.5],
  ['=(', -2.5],
  [':[', -2],
  [":'(", -3],
  [':/', -1.7],
  [':-/', -1.7],
  [':|', -1],
  [':@', -3],
  ['>:(', -3.5],
  ['<3', 2.4],
  ['</3', -3],
  ['^^', 2],
  ['^_^', 2.5],
  ['-_-', -1.5],
]);

/** Characters an emoticon may start with. */
export const EMOTICON_STARTS = new Set(
  [':', ';', '=', '<', '>', '^', '-'].map((c) => c.charCodeAt(0)),
);
