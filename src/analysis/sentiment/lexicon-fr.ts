/**
 * French word lists. Polarities are on the AFINN scale (-5..5). The base lexicon is Pattern-fr
 * (PDDL, see ./pattern-fr.ts), polarity × 5. The core below is hand-written from general French
 * usage, not from any benchmark: everyday opinion words and verbs Pattern lacks or gets wrong
 * ("décevant" is missing, "absurde" is positive there), review complaints, idioms, and the
 * function words the scorer needs. It wins over Pattern where both have a word.
 */
import { PATTERN_FR } from './pattern-fr.js';
import type { LanguageLists } from './lexicon.js';

function pattern(): Record<string, number> {
  const out: Record<string, number> = {};
  for (const line of PATTERN_FR.split('\n')) {
    const space = line.lastIndexOf(' ');
    if (space > 0) out[line.slice(0, space)] = Number(line.slice(space + 1)) * 5;
  }
  return out;
}

const CORE = `
bon=2.5, bonne=2.5, bien=1.5, mieux=1.5, meilleur=2.5, excellent=4, excellente=4, super=3,
génial=4, géniale=4, top=2.5, parfait=4, parfaite=4, parfaitement=3, formidable=4, magnifique=4,
merveilleux=4, sublime=4, superbe=4, splendide=4, extraordinaire=4, exceptionnel=4,
fantastique=4, incroyable=3, impressionnant=3, remarquable=3, brillant=3, touchant=2.5,
émouvant=2.5, drôle=2, hilarant=3, amusant=2, agréable=2.5, sympa=2, sympathique=2,
charmant=2.5, beau=2.5, belle=2.5, joli=2, jolie=2, intéressant=2, passionnant=3,
captivant=3, efficace=2, rapide=1.5, fiable=2, pratique=1.5, facile=1.5, confortable=2,
délicieux=3, savoureux=3, propre=1, accueillant=2.5, aimable=2, serviable=2.5,
professionnel=2, réactif=2, compétent=2, satisfait=2.5, satisfaite=2.5, content=2.5,
contente=2.5, ravi=3, ravie=3, heureux=3, heureuse=3, enchanté=3, conquis=3, bravo=3,
merci=1.5, chef-d'oeuvre=4, chef=0, pépite=3, régal=3, coup de coeur=3.5, à voir=1.5,
à recommander=3, je recommande=3, recommande=2.5, recommandé=2.5, recommander=2.5,
adore=3.5, adoré=3.5, adorer=3.5, aime=2, aimé=2, aimer=2, apprécie=2,
apprécié=2, kiffe=3, plaît=2, plu=2, réussi=3, réussie=3, à la hauteur=2, au top=3,
mauvais=-3, mauvaise=-3, nul=-3.5, nulle=-3.5, nullissime=-4.5, pire=-3.5, horrible=-4,
affreux=-4, atroce=-4, infect=-4, immonde=-4, dégoûtant=-4, répugnant=-4, lamentable=-4, pitoyable=-3.5, minable=-3.5, médiocre=-3,
décevant=-3, décevante=-3, déçu=-3, déçue=-3, déception=-3, décevoir=-2.5, déçoit=-3,
ennuyeux=-3, ennui=-2.5, ennuie=-2.5, ennuyé=-2.5, barbant=-3, chiant=-3.5, soûlant=-3,
long=-0.5, longuet=-2, interminable=-3, lent=-1.5, lente=-1.5, lenteur=-2, raté=-3,
ratée=-3, navet=-4, daube=-4, bouse=-4, nanar=-3, catastrophe=-4, catastrophique=-4,
désastre=-4, désastreux=-4, honte=-3.5, honteux=-3.5, scandale=-3.5, scandaleux=-3.5,
inadmissible=-4, inacceptable=-4, inutile=-2.5, inutilisable=-3.5, cassé=-2.5, cassée=-2.5,
abîmé=-2.5, abîmée=-2.5, endommagé=-2.5, défectueux=-3, défectueuse=-3, panne=-2.5,
en panne=-3, bug=-2, bugs=-2, bugue=-2.5, plante=-1.5, arnaque=-4, escroquerie=-4, escroc=-4,
voleur=-3.5, remboursement=-1.5, rembourser=-1, retard=-2, en retard=-2.5,
retardé=-2, perdu=-1.5, perdue=-1.5, introuvable=-1.5, injoignable=-3, impoli=-3, désagréable=-3,
incompétent=-3, incompétence=-3, méprisant=-3, froid=-1, sale=-2.5, cher=-1, chère=-1,
hors de prix=-3, trop cher=-2.5, arnaqué=-4, problème=-2, problèmes=-2, souci=-1.5,
soucis=-1.5, plainte=-2, réclamation=-2, déteste=-3.5, détesté=-3.5, détester=-3.5,
regrette=-2.5, regretté=-2, dommage=-2, hélas=-2, malheureusement=-2, bof=-2, moyen=-1,
moyenne=-1, passable=-1, fade=-2, insipide=-2.5, creux=-2, vide=-1.5,
prévisible=-1.5, cliché=-1.5, clichés=-1.5, bâclé=-3, absurde=-2, ridicule=-3, grotesque=-3,
stupide=-3, débile=-3.5, idiot=-3, con=-3, inintéressant=-3, sans intérêt=-3, pénible=-3,
insupportable=-4, fatigant=-2, lourd=-1.5, lourdeur=-2, poussif=-2, laborieux=-2,
faible=-2, décousu=-2, confus=-1.5, incohérent=-2.5, raté=-3, gâché=-3, gâchis=-3,
perte de temps=-3.5, perte d'argent=-3.5, à éviter=-3.5, fuyez=-4, évitez=-3.5,
remboursé=0/-2, reçu=0/-2, reçue=0/-2, recevoir=0/-2, arrivé=0/-2, arrivée=0/-1.5,
livré=0/-2, livrée=0/-2, fonctionne=0/-2, fonctionnent=0/-2, marche=0/-2,
marchent=0/-2, répondu=0/-2.5, répond=0/-2.5, rappelé=0/-1.5, tient=0/-1, vaut=0/-2,
répondent=0/-2.5, répondre=0/-2, rappelle=0/-2, rappellent=0/-2, rappeler=0/-1.5,
vaut le coup=2.5/-2.5, vaut la peine=2.5/-2.5, conseille=2/-2.5, conseiller=0,
ne fonctionne plus=-3, pas terrible=-1.5, pas mal=2, pas mal de=0, pas top=-1.5,
n'importe quoi=-3, rien à redire=2.5, rien à dire=1, sans plus=-1, sans doute=0,
sans aucun doute=1, sur=0, énervant=-2.5, énervante=-2.5, énervé=-2.5, énervée=-2.5, agaçant=-2.5, agaçante=-2.5, refusé=-2, refusée=-2, refus=-2, annulé=-1.5, annulée=-1.5, bloqué=-1.5, bloquée=-1.5, passé=0, passée=0, passés=0, passées=0, non seulement=0, pas seulement=0, pas que=0, ni plus ni moins=0,
à chier=-4.5, de la merde=-4.5, merde=-3, putain=-1, mdr=1.5, ptdr=1.5, lol=1.5,
je m'attendais à mieux=-2.5, on attendait mieux=-2.5, j'espérais mieux=-2.5,
aurait pu être mieux=-2, peut mieux faire=-2, sans problème=2, aucun problème=2,
plus jamais=-3, jamais plus=-3, pas ce que j'attendais=-2, pas à la hauteur=-2.5, terrible=-3, grand=1, petit=0, plus=0, moins=0, tout=0,
toute=0, tous=0, toutes=0, autre=0, autres=0, même=0, premier=0, première=0, dernier=0,
dernière=0, seul=0, seule=0, certain=0, certaine=0, vrai=0, vraie=0, possible=0, vieux=0,
jeune=0, ancien=0, différent=0, gros=0, haut=0, bas=0, noir=0, humain=0, entier=0,
important=0, nouveau=0, nouvelle=0, simple=0, trop=0, assez=0, très=0, vraiment=0, peu=0,
`;

export const fr: LanguageLists = {
  lexicons: [pattern()],
  supplement: CORE,
  negators: "ne, n', pas, jamais, rien, aucun, aucune, ni, non, nullement, aucunement",
  shortNegators: 'sans, peu, moins',
  // Negators only after "ne": "plus" is "more" and "personne" is "person" otherwise.
  partnerNegators: 'plus, personne, guère, point',
  // "ne ... que" restricts, it does not negate: "il n'y a que du bon".
  restrictive: "que, qu'",
  boosters: `très=1.3, trop=1.2, vraiment=1.3, tellement=1.3, si=1.2, super=1.3, hyper=1.4,
    ultra=1.4, extrêmement=1.5, absolument=1.4, totalement=1.3, complètement=1.3,
    carrément=1.3, franchement=1.2, particulièrement=1.2, vachement=1.3, bien=1.2,
    fort=1.2, profondément=1.3, terriblement=1.4, assez=0.9, plutôt=0.85,
    un peu=0.6, un tantinet=0.6, légèrement=0.5, moyennement=0.5, quelque peu=0.7,
    presque=0.8, relativement=0.8`,
  excess: 'trop',
  contrast: `mais, cependant, pourtant, toutefois, néanmoins, par contre, en revanche, sauf que,
    malgré tout, cela dit, ceci dit, reste que, il n'empêche`,
  concessive: 'bien que, quoique, même si, malgré, alors que, tandis que',
  conclusion: `bref, en bref, au final, finalement, en somme, en résumé, pour conclure,
    en conclusion, au bout du compte, globalement, dans l'ensemble`,
  suffixes: [
    ['euses', 'eux'],
    ['euse', 'eux'],
    ['ives', 'if'],
    ['ive', 'if'],
    ['ales', 'al'],
    ['aux', 'al'],
    ['ement', 'e'],
    ['ablement', 'able'],
    ['amment', 'ant'],
    ['emment', 'ent'],
    ['ées', 'é'],
    ['ée', 'é'],
    ['és', 'é'],
    ['es', ''],
    ['e', ''],
    ['s', ''],
    ['x', ''],
    ['aient', 'er'],
    ['ait', 'er'],
    ['ais', 'er'],
    ['ent', 'e'],
    ['ons', 'er'],
    ['ez', 'er'],
    ['ent', ''],
  ],
};
