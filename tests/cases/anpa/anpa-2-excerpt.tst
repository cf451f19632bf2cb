W2607asian
r a BC-US--Ethanol-LosingGra 1stLd-Writethru   11-13 1693
^BC-US--Ethanol-Losing Grassland, 1st Ld-Writethru,1140<
^Prairies vanish in the US push for green energy<
^AP Photo SDDD101, SDDD102, GFX0456<
^Eds: Restores reference in 3rd paragraph to years when fuel became No. 1 use for corn. Adds video link. With AP Photos. AP Video. For global distribution<
^EDITOR'S NOTE _ This is part of an Associated Press investigation into the hidden costs of green energy.<
^By CHET BROKAW and JACK GILLUM=
^Associated Press=
	   ROSCOE, South Dakota (AP) _ Robert Malsam nearly went broke in the 1980s when corn was cheap. So now that prices are high and he can finally make a profit, he's not about to apologize for ripping up prairieland to plant corn.
 
	   Across the Dakotas and Nebraska, more than 1 million acres (0.4 million hectares) of the Great Plains are giving way to corn fields as farmers transform the wild expanse that once served as the backdrop for American pioneers.
 
	   AP-WF-11-13-13 0745GMT<


