/**
 * English word lists. Polarities are on the AFINN scale (-5..5). The base lexicon is AFINN-165 as
 * shipped in the `sentiment` package (MIT; AFINN data by Finn Årup Nielsen, ODbL 1.0), widened by
 * the VADER lexicon from `vader-sentiment` (Apache-2.0 port; lexicon by C.J. Hutto, MIT). The lists
 * below are hand-written from general English usage, not from any benchmark: they cover what a
 * word lexicon misses in reviews (factual complaints, idioms) and the function words the scorer
 * needs (negators, boosters, contrast).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { LanguageLists } from './lexicon.js';

const require = createRequire(import.meta.url);

/** AFINN-165 from the `sentiment` package, -5..5. */
function afinn(): Record<string, number> {
  return require('sentiment/languages/en/labels.json') as Record<string, number>;
}

/** VADER's lexicon (mean rating on -4..4) scaled by 1.25 to the AFINN range. */
function vader(): Record<string, number> {
  const text = readFileSync(require.resolve('vader-sentiment/vader_lexicon.txt'), 'utf8');
  const out: Record<string, number> = {};
  for (const line of text.split('\n')) {
    const [word, mean] = line.split('\t');
    const v = Number(mean);
    // Entries starting with a letter only: emoticons are handled by the tokenizer's own table.
    if (word && /^[a-z]/.test(word) && Number.isFinite(v)) out[word] = v * 1.25;
  }
  return out;
}

/**
 * What reviews say without an opinion word. `term=score`, or `term=score/negated` when the
 * negated form is not simply the opposite: `work=0/-2` is neutral, "doesn't work" negative.
 */
const SUPPLEMENT = `
work=0/-2, works=0/-2, worked=0/-2, working=0/-2, function=0/-2, functions=0/-2,
received=0/-2, receive=0/-2, arrived=0/-2, arrive=0/-2, delivered=0/-2, came=0/-1.5,
answered=0/-2.5, responded=0/-2.5, reply=0/-1.5, replied=0/-2.5, refunded=0/-2,
answer=0/-2.5, answers=0/-2.5, answering=0/-2.5, respond=0/-2.5, responds=0/-2.5,
replies=0/-2, call back=0/-2, called back=0/-2.5, get back to me=0/-2.5, got back to me=0/-2.5,
support=0, customer support=0, tech support=0,
buy=0/-2, purchase=0/-2, back=0/-1,
worth=2/-2, worth it=2/-2.5, recommend=2/-2.5, recommended=2/-2.5, fit=0/-1.5, fits=0/-1.5,
last=0/-1, lasted=0/-1, charge=0/-1, charges=0/-1, hold=0/-1, holds=0/-1, expected=0/-1,
stopped working=-3, stops working=-3, stop working=-3, quit working=-3, dead on arrival=-3,
waste of money=-3.5, waste of time=-3.5, wasted=-2.5, fell apart=-3, falls apart=-3,
broke=-2.5, broken=-2.5, breaks=-2, defective=-3, faulty=-2.5, flimsy=-2, junk=-3, garbage=-3,
crap=-3, cheaply made=-2.5, poorly made=-2.5, poor quality=-3, low quality=-2.5,
overpriced=-2, unusable=-3, useless=-3, unreliable=-2.5, malfunction=-2.5,
money back=0/-2.5, want my money back=-3, want a refund=-2.5, returned this=-2,
returning this=-2, return this=-1.5, returning it=-2, return it=-1.5, returned them=-2,
returning them=-2, returned mine=-2, sent it back=-2.5, send it back=-2.5, sending it back=-2.5, returned it=-2.5,
never again=-3, not again=-2, not what i expected=-2, not up to par=-2.5, avoid=-2.5, disappointing=-3, disappointment=-3, mediocre=-2,
bland=-2, tasteless=-2.5, stale=-2, soggy=-2, greasy=-1.5, undercooked=-2, overcooked=-2,
burnt=-2, cold food=-2, rude=-3, slow service=-2, wait forever=-2, unprofessional=-2.5,
boring=-2.5, dull=-2, predictable=-1.5, cliche=-1.5, cheesy=-1.5, pointless=-2.5, mess=-2,
poorly=-2, badly=-2, poorly written=-3, badly written=-3, poorly acted=-3, badly acted=-3,
fell asleep=-2.5, unwatchable=-3.5, lame=-2, weak=-1.5, awkward=-1.5, annoying=-2,
could have been better=-2, could be better=-1.5, expected more=-2, expected better=-2,
at best=-1.5, meh=-1.5, so-so=-1, not worth=-2.5, rip off=-3, ripoff=-3, scam=-3.5,
well made=2.5, well done=2.5, well written=2.5, well acted=2.5, works great=3, works well=2.5,
works perfectly=3.5, must see=3, must-see=3, a must=2.5, masterpiece=4, gem=3, delicious=3,
tasty=2.5, yummy=2.5, friendly=2, attentive=2, helpful=2, comfortable=2, sturdy=2, reliable=2,
highly recommend=3.5, would recommend=2.5, five stars=3, 5 stars=3, one star=-3, 1 star=-3,
thumbs up=2, thumbs down=-2, love it=3, loved it=3, hate it=-3, two thumbs up=3,
come back=0/-2, be back=0/-2, go back=0/-2, again=0/-1.5, glad=2, pleased=2, happy=2.5,
no problem=1.5, no problems=1.5, no issues=1.5, no complaints=2, nothing wrong=1.5,
not only=0, no doubt=0, no wonder=0, not just=0, no matter=0, nothing but=0,
kind of=0, sort of=0, like=0.5/-2, likes=0.5/-2, pretty=1.5, super=2.5, fine=1,
fail=-2, fails=-2, failed=-2, failing=-2, declined=-1.5, stopped=0, stop=0, stops=0, lack=-1, lacks=-1, lacked=-1, lacking=-1, ok=0.5, okay=0.5, alright=0.5, decent=1.5, average=-0.5, plain=-0.5,
order=0/-2, ordering=0/-2, response=0/-2.5, responses=0/-2.5, news=0/-1.5, update=0/-1.5, updates=0/-1.5, callback=0/-2,
heard back=0/-2.5, hear back=0/-2, heard from=0/-2, sign of=0/-2, trace of=0/-2,
refund=0/-2.5, refunds=0/-2.5, return=0/-2, returns=0/-2, returned=0, returning=0/-2,
lost a customer=-3, lost me as a customer=-3, lost my business=-3,
issue=-1.5, issues=-1.5, glitch=-1.5, glitches=-1.5, bug=-1.5, bugs=-1.5, mix up=-1.5,
fixed=0/-2, solved=1/-2, resolved=1.5/-2, sorted=0/-1.5, rectified=1/-2, repaired=0/-2,
corrected=0/-1.5, addressed=0/-2, handled=0/-1.5, dealt with=0/-1.5, took care of=1/-2,
taken care of=1/-2, can't wait=2.5, cant wait=2.5, cannot wait=2.5, joke=0, jokes=0, clown show=-3, bunch of clowns=-3, amateur hour=-3, sham=-3,
shambles=-3, shambolic=-3, laughable=-2.5, nightmare=-3, daylight robbery=-3.5,
highway robbery=-3.5, taking the piss=-3, scammed=-3.5, scammers=-3.5, ripped off=-3,
pay=0/-2, pays=0/-2, paying=0/-2, charged=0, late=-1.5, later=0, lately=0, latest=0,
give up=-2, giving up=-2, gave up=-2, for nothing=-1.5, thanks for nothing=-3,
thank you for nothing=-3, hung up=-2.5, hung up on me=-3, black hole=-2.5, rings out=-2,
impossible to=-2, unable to=-2, went missing=-2, goes missing=-2, vanished=-2, vanishes=-2,
lol=0, lmao=0, haha=0, where is my=-2, where's my=-2, wheres my=-2, where are my=-2,
showed up=0/-2, show up=0/-2, shows up=0/-2, turned up=0/-2, coming=0/-1.5, explanation=0/-2,
eligible=0/-1.5, chargeback=-2.5, replaced=0/-1.5, sent a replacement=1, untangled=1,
sorted out=1, put right=1, made it right=1.5,
cracked=-2, peeling=-1.5, peeled=-1.5, flaking=-1.5, pilled=-1.5, pilling=-1.5, wobbles=-1.5,
wobbly=-1.5, shedding=-1, sheds=-1, faded=-1.5, fading=-1.5, yellowing=-1.5, dented=-2,
stained=-1.5, torn=-2, ripped=-2, frayed=-1.5, shrank=-2, shrunk=-2, flickers=-1.5,
flickering=-1.5, came undone=-2, went flat=-1.5, uneven=-1, leaks=-2, leaking=-2, wore out=-2,
didn't even=-2, did not even=-2, doesn't even=-2, does not even=-2, don't even=-1.5,
not even=-1.5, without even=-1.5, never even=-2, promised=0, security=0,
`;

export const en: LanguageLists = {
  lexicons: [afinn(), vader()],
  supplement: SUPPLEMENT,
  negators: `not, no, never, none, nothing, nobody, nowhere, neither, nor, cannot, cant, can't,
    don't, dont, doesn't, doesnt, didn't, didnt, isn't, isnt, wasn't, wasnt, aren't, arent,
    weren't, werent, won't, wont, wouldn't, wouldnt, shouldn't, shouldnt, couldn't, couldnt,
    haven't, havent, hasn't, hasnt, hadn't, hadnt, ain't, aint, mustn't, needn't, hardly,
    lack, lacks, lacked, lacking, fail, fails, failed, failing, zero`,
  // Short scope: they bear on the next word or two only.
  shortNegators: 'without, less, rarely, seldom',
  partnerNegators: '',
  restrictive: '',
  boosters: `very=1.3, really=1.3, so=1.2, extremely=1.5, incredibly=1.5, absolutely=1.4,
    totally=1.3, completely=1.3, utterly=1.4, highly=1.3, super=1.3, most=1.2, quite=1.1,
    truly=1.3, especially=1.2, exceptionally=1.5, particularly=1.2, remarkably=1.3,
    amazingly=1.4, deeply=1.3, seriously=1.3, way=1.2, much=1.2, pretty=1.1, terribly=1.4,
    awfully=1.3, insanely=1.5, ridiculously=1.4, damn=1.3, freaking=1.3, fairly=0.8,
    rather=0.9, somewhat=0.7, slightly=0.5, a bit=0.6, a little=0.6, a little bit=0.5,
    kind of=0.7, kinda=0.7, sort of=0.7, sorta=0.7, marginally=0.5, mildly=0.6, partly=0.6,
    almost=0.8, nearly=0.8, moderately=0.7, relatively=0.8, reasonably=0.8`,
  excess: 'too, overly',
  contrast:
    'but, however, nevertheless, nonetheless, on the other hand, that said, even so, except',
  concessive: 'although, though, even though, despite, while, whereas',
  conclusion: `overall, all in all, in the end, in short, to sum up, bottom line, in conclusion,
    all things considered, ultimately`,
  contempt: 'joke=-3, farce=-3, circus=-2.5, clown=-2.5',
  contemptMarkers: `is, was, are, were, it's, its, that's, thats, what, such, total, complete,
    absolute, utter, real, sick, bad, big, pure, bit`,
  persistence: 'still',
  waiting: 'waiting, wait, waited, queuing, queueing, queued',
  troubles: `problem, problems, issue, issues, trouble, troubles, bug, bugs, glitch, glitches,
    error, errors, mistake, mistakes, mix up, complaint, complaints, lost, missing, went missing,
    mess`,
  remedies: `fixed, solved, resolved, sorted, rectified, repaired, corrected, addressed, handled,
    dealt with, took care of, taken care of, replaced, sent a replacement, untangled, sorted out,
    put right, made it right`,
  postNegators: '',
  ironyOpeners: 'how, oh, just, so, well, wow, really, what a, just what',
  politeness: 'thanks, thank, thx, ty, cheers, please, pls, sorry',
  // Stems tried, in order, for a word not found as it is.
  suffixes: [
    ['ies', 'y'],
    ['ied', 'y'],
    ['ily', 'y'],
    ['ibly', 'ible'],
    ['ably', 'able'],
    ['ly', ''],
    ['ness', ''],
    ['ing', ''],
    ['ing', 'e'],
    ['ed', ''],
    ['ed', 'e'],
    ['es', ''],
    ['s', ''],
    ["'s", ''],
  ],
};
