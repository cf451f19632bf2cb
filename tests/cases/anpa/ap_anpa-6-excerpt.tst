s0284-----
r s BC-BBO--WildCardGlance     08-18 
^BC-BBO--Wild Card Glance<
^Wild Card Glance=
^All Times EDT=
^By The Associated Press=
^AMERICAN LEAGUE=
^ W   L   Pct   WCGB
Tampa Bay 73  52  .584   _
Cleveland 73  51  .589   _
Oakland 71  52  .577   1
	   AP-WF-08-18-19 2017GMT<


