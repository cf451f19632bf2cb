   ZCZC AAP
%MGD
$K
:
:Master Builders Australia
*X
ABS data released today shows building and construction is underpinning growth in the Australian economy
Total building work done rose by 1.2% to $26.1 billion in the June quarter - well above the national economic growth rate over the same period, reinforcing the critical role the building and construction industry continues to play in supporting broader economic growth and jobs.
"Today's release sheds light on the two speed split that exists across sectors the construction industry - and in some cases between different states. On the one hand, residential building continues to surge ahead on the back of an ongoing boom in apartments - particularly in inner city Sydney. Rising house prices in Sydney have helped shift the 'buy versus build' equation in the direction of new building underpinned by record low interest rates," Wilhelm Harnisch CEO of Master Builders Australia said.
"The data shows residential building activity in NSW surged by 22% over the year-to June 2016 - accounting for over 44% of growth in the sector nationally. Overall, residential building activity grew by 0.2% to $15.1 billion, consolidating gains recorded earlier in the year," he said.

NNNN
