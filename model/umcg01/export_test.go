package umcg01

// HandLabel is a label for the observations the external tests build by
// hand (a step's label is a code only the package makes).
var HandLabel = lblClientSetFlag
