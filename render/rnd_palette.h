/* rnd_palette.h - the colours of every chart render/ draws: the visual
 * timeline (rnd_svg*.c) and the web UI's analytics charts (rnd_ui_chart.c).
 *
 * Okabe-Ito (Okabe and Ito, "Color Universal Design"): eight colours told
 * apart with every common colour-vision deficiency, plus a grey for what
 * has no colour of its own.  Colour is never the only cue: the charts'
 * shapes, legends, titles and data tables say the same. */
#ifndef RND_PALETTE_H
#define RND_PALETTE_H

#define C_BLACK      "#000000"
#define C_ORANGE     "#E69F00"
#define C_SKY        "#56B4E9"
#define C_GREEN      "#009E73"
#define C_YELLOW     "#F0E442"
#define C_BLUE       "#0072B2"
#define C_VERMILLION "#D55E00"
#define C_PURPLE     "#CC79A7"
#define C_GREY       "#999999"

#endif
