namespace Fraud.Baskets;

internal sealed partial class Catalogue
{
    private void Build()
    {
        string[] phoneSizes = ["128GB", "256GB", "512GB", "1TB"];
        string[] macSizes = ["8GB 256GB SSD", "8GB 512GB SSD", "16GB 512GB SSD", "16GB 1TB SSD"];

        var computers = Category("COMPUTERS", CategoryRole.Anchor, 22, 13, 0.75);
        AddSizes(computers, "APPLE", "2020 APPLE MACBOOK AIR 13 3 RETINA DISPLAY M1 PROCESSOR", 899, macSizes, 200, 6);
        AddSizes(computers, "APPLE", "2022 APPLE MACBOOK AIR 13 6 M2 PROCESSOR", 1049, macSizes, 200, 5);
        AddSizes(computers, "APPLE", "2023 APPLE MACBOOK AIR 15 3 M2 PROCESSOR", 1299, macSizes, 200, 3);
        AddSizes(computers, "APPLE", "2023 APPLE MACBOOK PRO 14 2 M3 PRO PROCESSOR", 1899, ["18GB 512GB SSD", "18GB 1TB SSD", "36GB 1TB SSD"], 400, 2.5, 0.9);
        AddSizes(computers, "APPLE", "2023 APPLE MACBOOK PRO 16 2 M3 MAX PROCESSOR", 3499, ["36GB 1TB SSD", "48GB 1TB SSD"], 500, 1.2, 0.95, hotFrom: 0);
        AddSizes(computers, "APPLE", "2023 APPLE IMAC 24 M3 PROCESSOR", 1299, ["8GB 256GB SSD", "8GB 512GB SSD", "16GB 512GB SSD"], 200, 2, 0.6);
        AddSizes(computers, "APPLE", "2023 APPLE MAC MINI M2 PROCESSOR", 649, ["8GB 256GB SSD", "8GB 512GB SSD"], 200, 1.2, 0.6);
        AddSizes(computers, "APPLE", "2022 APPLE IPAD 10 9 WI-FI", 499, ["64GB", "256GB"], 170, 5, 0.8);
        AddSizes(computers, "APPLE", "2022 APPLE IPAD PRO 12 9 M2 WI-FI", 1249, ["128GB", "256GB", "512GB", "1TB"], 220, 2, 0.9, hotFrom: 3);
        AddSizes(computers, "APPLE", "2022 APPLE IPAD AIR 10 9 M1 WI-FI", 669, ["64GB", "256GB"], 150, 2.5, 0.85);
        Add(computers, "HP", "HP PAVILION 15-EG3000 LAPTOP INTEL CORE I5 8GB 512GB", 649, 2, 0.4);
        Add(computers, "HP", "HP ENVY X360 13 CONVERTIBLE LAPTOP AMD RYZEN 7", 949, 1.2, 0.45);
        Add(computers, "LENOVO", "LENOVO IDEAPAD 5 14 LAPTOP INTEL CORE I7 16GB 512GB", 799, 1.5, 0.4);
        Add(computers, "LENOVO", "LENOVO THINKPAD X1 CARBON GEN 11 LAPTOP", 1699, 0.6, 0.5);
        Add(computers, "DELL", "DELL XPS 13 PLUS LAPTOP INTEL CORE I7 16GB 1TB", 1499, 0.8, 0.5);
        Add(computers, "ASUS", "ASUS ZENBOOK 14 OLED LAPTOP INTEL CORE ULTRA 7", 999, 0.8, 0.45);
        Add(computers, "ASUS", "ASUS ROG ZEPHYRUS G14 GAMING LAPTOP RTX 4060", 1599, 0.6, 0.7);
        Add(computers, "MICROSOFT", "MICROSOFT SURFACE LAPTOP 5 13 5 INTEL CORE I5", 999, 0.8, 0.5);
        Add(computers, "MICROSOFT", "MICROSOFT SURFACE PRO 9 13 INTEL CORE I7 256GB", 1399, 0.6, 0.55);
        Add(computers, "ACER", "ACER ASPIRE 3 15 6 LAPTOP INTEL CORE I3 8GB 256GB", 399, 1.5, 0.3);

        var phones = Category("TELEPHONES FAX MACHINES TWO-WAY RADIOS", CategoryRole.Anchor, 5, 11, 0.95, "TELEPHONES FAX MACHINES & TWO-WAY RADIOS");
        AddSizes(phones, "APPLE", "APPLE IPHONE 15", 799, phoneSizes[..3], 100, 3);
        AddSizes(phones, "APPLE", "APPLE IPHONE 15 PRO", 999, phoneSizes, 100, 2.5, hotFrom: 3);
        AddSizes(phones, "APPLE", "APPLE IPHONE 15 PRO MAX", 1199, phoneSizes[1..], 200, 2, hotFrom: 1);
        AddSizes(phones, "APPLE", "APPLE IPHONE 14", 699, phoneSizes[..2], 100, 1.5);
        AddSizes(phones, "SAMSUNG", "SAMSUNG GALAXY S24 5G", 799, phoneSizes[..2], 60, 1.5, 0.8);
        AddSizes(phones, "SAMSUNG", "SAMSUNG GALAXY S24 ULTRA 5G", 1249, phoneSizes[1..], 100, 1.2, 0.9, hotFrom: 1);
        AddSizes(phones, "SAMSUNG", "SAMSUNG GALAXY Z FOLD5 5G", 1749, phoneSizes[1..3], 120, 0.5, 0.9);
        Add(phones, "GOOGLE", "GOOGLE PIXEL 8 PRO 128GB", 999, 0.8, 0.75);
        Add(phones, "GOOGLE", "GOOGLE PIXEL 8 128GB", 699, 0.8, 0.7);
        Add(phones, "PANASONIC", "PANASONIC KX-TGD312 DIGITAL CORDLESS PHONE TWIN", 69, 0.8, 0.05);
        Add(phones, "BT", "BT ADVANCED 1100 CORDLESS PHONE SINGLE", 49, 0.8, 0.05);

        var tvs = Category("TELEVISIONS HOME CINEMA", CategoryRole.Anchor, 10, 10, 0.45, "TELEVISIONSHOME CINEMA", "TELEVISIONS & HOME CINEMA");
        AddSizes(tvs, "SAMSUNG", "SAMSUNG QE CU8000 CRYSTAL UHD 4K HDR SMART TV", 429, ["43", "50", "55", "65", "75"], 150, 3, 0.35);
        AddSizes(tvs, "SAMSUNG", "SAMSUNG QE S95C OLED 4K QUANTUM HDR SMART TV", 1999, ["55", "65", "77"], 800, 0.8, 0.65, hotFrom: 2);
        AddSizes(tvs, "LG", "LG OLED C3 4K HDR SMART TV", 1299, ["42", "48", "55", "65", "77"], 300, 2, 0.55);
        AddSizes(tvs, "SONY", "SONY BRAVIA XR A80L OLED 4K HDR GOOGLE TV", 1699, ["55", "65", "77"], 600, 1, 0.55);
        AddSizes(tvs, "PANASONIC", "PANASONIC TX MX800 LED 4K HDR SMART TV", 549, ["50", "55", "65"], 150, 1, 0.3);
        Add(tvs, "SONOS", "SONOS ARC DOLBY ATMOS SMART SOUNDBAR", 899, 1.2, 0.6);
        Add(tvs, "SONOS", "SONOS BEAM GEN 2 SMART SOUNDBAR", 499, 1.2, 0.5);
        Add(tvs, "SONOS", "SONOS SUB GEN 3 WIRELESS SUBWOOFER", 799, 0.5, 0.55);
        Add(tvs, "SAMSUNG", "SAMSUNG HW-Q990C 11 1 4 SOUNDBAR WITH SUBWOOFER", 1199, 0.4, 0.5);
        Add(tvs, "APPLE", "APPLE TV 4K WI-FI ETHERNET 128GB", 169, 1.5, 0.45);

        var audio = Category("AUDIO ACCESSORIES", CategoryRole.Accessory, 4, 5, 0.5);
        Add(audio, "APPLE", "APPLE AIRPODS PRO 2ND GENERATION USB-C", 229, 4, 0.8);
        Add(audio, "APPLE", "APPLE AIRPODS 3RD GENERATION", 179, 2, 0.7);
        Add(audio, "APPLE", "APPLE AIRPODS MAX WIRELESS HEADPHONES", 549, 1, 0.85, hot: true);
        Add(audio, "SONY", "SONY WH-1000XM5 NOISE CANCELLING HEADPHONES", 379, 2, 0.6);
        Add(audio, "BOSE", "BOSE QUIETCOMFORT ULTRA HEADPHONES", 449, 1.2, 0.6);
        Add(audio, "BOSE", "BOSE SOUNDLINK FLEX BLUETOOTH SPEAKER", 149, 1.5, 0.3);
        Add(audio, "SONOS", "SONOS ERA 100 SMART SPEAKER", 249, 1.5, 0.35);
        Add(audio, "JBL", "JBL CHARGE 5 PORTABLE BLUETOOTH SPEAKER", 159, 1.5, 0.3);
        Add(audio, "BEATS", "BEATS STUDIO BUDS PLUS TRUE WIRELESS EARBUDS", 169, 1.2, 0.55);

        var peripherals = Category("COMPUTER PERIPHERALS ACCESSORIES", CategoryRole.Accessory, 4, 4, 0.15, "COMPUTER PERIPHERALS & ACCESSORIES");
        Add(peripherals, "APPLE", "APPLE MAGIC MOUSE WHITE MULTI-TOUCH SURFACE", 79, 3, 0.3);
        Add(peripherals, "APPLE", "APPLE MAGIC KEYBOARD WITH TOUCH ID UK ENGLISH", 149, 2, 0.3);
        Add(peripherals, "APPLE", "APPLE PENCIL 2ND GENERATION", 139, 2, 0.4);
        Add(peripherals, "APPLE", "APPLE 35W DUAL USB-C PORT COMPACT POWER ADAPTER", 59, 2, 0.1);
        Add(peripherals, "APPLE", "APPLE MAGIC KEYBOARD FOR IPAD PRO 12 9", 349, 1, 0.35);
        Add(peripherals, "APPLE", "APPLE STUDIO DISPLAY 27 5K RETINA STANDARD GLASS", 1499, 0.3, 0.7);
        Add(peripherals, "LOGITECH", "LOGITECH MX MASTER 3S WIRELESS MOUSE", 99, 2, 0.15);
        Add(peripherals, "LOGITECH", "LOGITECH MX KEYS S WIRELESS KEYBOARD", 109, 1.5, 0.15);
        Add(peripherals, "SAMSUNG", "SAMSUNG T7 PORTABLE SSD 1TB", 109, 1.2, 0.2);
        Add(peripherals, "HP", "HP ENVY INSPIRE 7220E ALL-IN-ONE WIRELESS PRINTER", 149, 1, 0.05);
        Add(peripherals, "DELL", "DELL ULTRASHARP U2723QE 27 4K MONITOR", 579, 0.6, 0.3);
        Add(peripherals, "BELKIN", "BELKIN USB-C TO HDMI ADAPTER", 29, 1.5, 0.0);
        Add(peripherals, "TOTAL", "TOTAL MACBOOK AIR 13 SLEEVE GREY", 25, 1.5, 0.0);

        var gaming = Category("GAMING", CategoryRole.Anchor, 3, 7, 0.85);
        Add(gaming, "SONY", "SONY PLAYSTATION 5 CONSOLE DISC EDITION", 479, 3, 0.95, hot: true);
        Add(gaming, "SONY", "SONY PLAYSTATION 5 CONSOLE DIGITAL EDITION", 389, 2, 0.9);
        Add(gaming, "SONY", "SONY DUALSENSE WIRELESS CONTROLLER", 69, 2, 0.4);
        Add(gaming, "MICROSOFT", "MICROSOFT XBOX SERIES X 1TB CONSOLE", 479, 1.5, 0.85);
        Add(gaming, "MICROSOFT", "MICROSOFT XBOX SERIES S 512GB CONSOLE", 249, 1.5, 0.7);
        Add(gaming, "NINTENDO", "NINTENDO SWITCH OLED MODEL CONSOLE", 309, 2.5, 0.8);
        Add(gaming, "NINTENDO", "NINTENDO SWITCH LITE CONSOLE", 199, 1.5, 0.6);
        Add(gaming, "VALVE", "VALVE STEAM DECK OLED 512GB", 479, 0.7, 0.85);
        Add(gaming, "META", "META QUEST 3 128GB VR HEADSET", 479, 0.8, 0.8);
        Add(gaming, "SONY", "SONY EA SPORTS FC 24 PS5 GAME", 59, 2, 0.1);
        Add(gaming, "NINTENDO", "NINTENDO THE LEGEND OF ZELDA TEARS OF THE KINGDOM", 49, 1.5, 0.1);

        var wearables = Category("WEARABLE TECHNOLOGY", CategoryRole.Anchor, 2.5, 4, 0.6);
        AddSizes(wearables, "APPLE", "APPLE WATCH SERIES 9 GPS ALUMINIUM CASE", 399, ["41MM", "45MM"], 30, 3, 0.75);
        AddSizes(wearables, "APPLE", "APPLE WATCH SERIES 9 GPS CELLULAR STAINLESS STEEL", 699, ["41MM", "45MM"], 50, 1, 0.8);
        Add(wearables, "APPLE", "APPLE WATCH ULTRA 2 GPS CELLULAR 49MM TITANIUM", 799, 1, 0.9, hot: true);
        Add(wearables, "APPLE", "APPLE WATCH SE GPS 40MM ALUMINIUM CASE", 219, 2, 0.55);
        Add(wearables, "SAMSUNG", "SAMSUNG GALAXY WATCH6 CLASSIC 47MM BLUETOOTH", 369, 1, 0.55);
        Add(wearables, "GARMIN", "GARMIN FENIX 7 PRO SAPPHIRE SOLAR", 799, 0.6, 0.6);
        Add(wearables, "GARMIN", "GARMIN FORERUNNER 265 GPS RUNNING SMARTWATCH", 429, 0.8, 0.45);
        Add(wearables, "FITBIT", "FITBIT CHARGE 6 FITNESS TRACKER", 139, 1.5, 0.2);

        var cameras = Category("CAMERAS PHOTOGRAPHY", CategoryRole.Anchor, 1.5, 1.5, 0.7);
        Add(cameras, "SONY", "SONY ALPHA 7 IV MIRRORLESS CAMERA BODY", 2399, 0.5, 0.9, hot: true);
        Add(cameras, "CANON", "CANON EOS R6 MARK II MIRRORLESS CAMERA BODY", 2579, 0.4, 0.85);
        Add(cameras, "FUJIFILM", "FUJIFILM X-T5 MIRRORLESS CAMERA WITH XF 18-55MM LENS", 1949, 0.5, 0.8);
        Add(cameras, "GOPRO", "GOPRO HERO12 BLACK ACTION CAMERA", 399, 1.2, 0.6);
        Add(cameras, "DJI", "DJI MINI 4 PRO DRONE WITH RC 2", 869, 0.6, 0.8);
        Add(cameras, "FUJIFILM", "FUJIFILM INSTAX MINI 12 INSTANT CAMERA", 79, 1.5, 0.1);

        var bedroom = Category("BEDROOM FURNITURE", CategoryRole.Anchor, 6, 5, 0.0);
        AddSizes(bedroom, "RETAILER", "RETAILER ANTON BED FRAME OAK", 499, ["SINGLE", "DOUBLE", "KING SIZE"], 150, 2);
        AddSizes(bedroom, "SIMBA", "SIMBA HYBRID PRO MATTRESS", 799, ["SINGLE", "DOUBLE", "KING SIZE", "SUPER KING SIZE"], 250, 2);
        AddSizes(bedroom, "HYPNOS", "HYPNOS ORTHOCARE 10 POCKET SPRUNG MATTRESS", 949, ["DOUBLE", "KING SIZE"], 200, 1);
        Add(bedroom, "RETAILER", "RETAILER GINA 3 DRAWER BEDSIDE TABLE WHITE", 149, 2);
        Add(bedroom, "RETAILER", "RETAILER GINA 6 DRAWER CHEST WHITE", 349, 1.2);
        Add(bedroom, "RETAILER", "RETAILER GINA DOUBLE WARDROBE WHITE", 599, 1);
        Add(bedroom, "RETAILER", "RETAILER ELLA UPHOLSTERED OTTOMAN BED VELVET", 899, 1);

        var living = Category("LIVING DINING FURNITURE", CategoryRole.Anchor, 6, 5, 0.0);
        AddSizes(living, "RETAILER", "RETAILER BELLA SOFA FABRIC", 899, ["2 SEATER", "3 SEATER", "4 SEATER", "CORNER"], 250, 2);
        AddSizes(living, "RETAILER", "RETAILER RADLEY SOFA LEATHER", 1499, ["2 SEATER", "3 SEATER"], 400, 1);
        Add(living, "RETAILER", "RETAILER CALIA 6 SEATER EXTENDING DINING TABLE", 799, 1.2);
        Add(living, "RETAILER", "RETAILER CALIA DINING CHAIRS PAIR", 249, 1.5);
        Add(living, "RETAILER", "RETAILER ALBA TV STAND OAK", 349, 1.5);
        Add(living, "RETAILER", "RETAILER OTIS ARMCHAIR VELVET", 449, 1.2);
        Add(living, "RETAILER", "RETAILER WINSLOW COFFEE TABLE WALNUT", 199, 1.5);
        Add(living, "RETAILER", "RETAILER WINSLOW SIDEBOARD WALNUT", 599, 0.8);

        var outdoor = Category("GARDEN FURNITURE", CategoryRole.Anchor, 1.5, 1.5, 0.0);
        Add(outdoor, "RETAILER", "RETAILER SAN REMO 6 SEATER RATTAN DINING SET", 1299, 1);
        Add(outdoor, "RETAILER", "RETAILER CORFU GARDEN CORNER SOFA SET", 999, 1);
        Add(outdoor, "WEBER", "WEBER SPIRIT EP-335 GAS BARBECUE", 749, 0.8, 0.2);
        Add(outdoor, "RETAILER", "RETAILER CANTILEVER PARASOL 3M GREY", 199, 1.2);

        var largeAppliances = Category("HOUSEHOLD APPLIANCES", CategoryRole.Anchor, 4, 4, 0.1);
        Add(largeAppliances, "BOSCH", "BOSCH SERIES 6 WGG25402GB 10KG 1400 SPIN WASHING MACHINE", 599, 1.5, 0.15);
        Add(largeAppliances, "SAMSUNG", "SAMSUNG RS68A8840S9 AMERICAN FRIDGE FREEZER", 1299, 1, 0.2);
        Add(largeAppliances, "MIELE", "MIELE G 7110 SC DISHWASHER", 899, 0.8, 0.15);
        Add(largeAppliances, "DYSON", "DYSON V15 DETECT ABSOLUTE CORDLESS VACUUM", 649, 2, 0.5);
        Add(largeAppliances, "DYSON", "DYSON PURIFIER HOT COOL HP07", 549, 1, 0.4);
        Add(largeAppliances, "SHARK", "SHARK STRATOS CORDLESS VACUUM IZ400UK", 399, 1.5, 0.25);
        Add(largeAppliances, "AEG", "AEG 7000 TUMBLE DRYER HEAT PUMP 8KG", 749, 0.8, 0.1);

        var smallKitchen = Category("SMALL KITCHEN APPLIANCES", CategoryRole.Anchor, 3, 3, 0.15);
        Add(smallKitchen, "SAGE", "SAGE BARISTA EXPRESS ESPRESSO MACHINE", 629, 1.5, 0.4);
        Add(smallKitchen, "DE LONGHI", "DE LONGHI MAGNIFICA EVO BEAN TO CUP COFFEE MACHINE", 449, 1.2, 0.3);
        Add(smallKitchen, "KITCHENAID", "KITCHENAID ARTISAN STAND MIXER 4 8L", 499, 1.5, 0.3);
        Add(smallKitchen, "NINJA", "NINJA FOODI DUAL ZONE AIR FRYER AF300UK", 199, 2.5, 0.1);
        Add(smallKitchen, "SMEG", "SMEG 50S STYLE KETTLE CREAM", 149, 1.5, 0.05);
        Add(smallKitchen, "SMEG", "SMEG 50S STYLE 2 SLICE TOASTER CREAM", 149, 1.2, 0.05);
        Add(smallKitchen, "VITAMIX", "VITAMIX A3500I ASCENT BLENDER", 649, 0.5, 0.3);

        var cookware = Category("COOKWARE", CategoryRole.Accessory, 2, 2, 0.0);
        Add(cookware, "LE CREUSET", "LE CREUSET SIGNATURE CAST IRON ROUND CASSEROLE 24CM", 265, 1.5);
        Add(cookware, "LE CREUSET", "LE CREUSET TOUGHENED NON-STICK 3 PIECE PAN SET", 299, 1);
        Add(cookware, "ZWILLING", "ZWILLING PRO 7 PIECE KNIFE BLOCK SET", 349, 0.8);
        Add(cookware, "RETAILER", "RETAILER CLASSIC STAINLESS STEEL 5 PIECE PAN SET", 99, 2);

        var kitchenAccessories = Category("KITCHEN ACCESSORIES", CategoryRole.Accessory, 1.5, 1.5, 0.0, "KITCHEN SCALES & MEASURES");
        Add(kitchenAccessories, "JOSEPH JOSEPH", "JOSEPH JOSEPH NEST 9 PLUS FOOD PREP SET", 45, 1.5);
        Add(kitchenAccessories, "SALTER", "SALTER DIGITAL KITCHEN SCALE", 20, 1.5);
        Add(kitchenAccessories, "BRABANTIA", "BRABANTIA BO TOUCH BIN 60L", 219, 1);
        Add(kitchenAccessories, "RETAILER", "RETAILER TEA TOWELS SET OF 3", 12, 1.5);

        var security = Category("HOME AND PERSONAL SECURITY", CategoryRole.Anchor, 1.5, 1.5, 0.2);
        Add(security, "RING", "RING VIDEO DOORBELL PRO 2", 249, 1.5, 0.3);
        Add(security, "ARLO", "ARLO PRO 5 2K SPOTLIGHT SECURITY CAMERA 3 PACK", 529, 0.8, 0.35);
        Add(security, "GOOGLE", "GOOGLE NEST CAM OUTDOOR BATTERY", 179, 1, 0.25);
        Add(security, "YALE", "YALE SMART ALARM KIT SR-3200I", 349, 0.8, 0.15);

        var baby = Category("BABY CHILD TRAVEL", CategoryRole.Anchor, 2, 2, 0.0, "BABY & CHILD TRAVEL");
        Add(baby, "BUGABOO", "BUGABOO FOX 5 PUSHCHAIR BLACK", 1199, 0.8, 0.2);
        Add(baby, "CYBEX", "CYBEX CLOUD T I-SIZE CAR SEAT", 299, 1.2, 0.1);
        Add(baby, "MAXI-COSI", "MAXI-COSI PEBBLE 360 PRO CAR SEAT", 279, 1);
        Add(baby, "STOKKE", "STOKKE TRIPP TRAPP HIGH CHAIR OAK", 209, 1);
        Add(baby, "RETAILER", "RETAILER COTBED WITH DRAWER WHITE", 299, 1);

        var linen = Category("BED LINEN", CategoryRole.Accessory, 2, 2, 0.0);
        AddSizes(linen, "RETAILER", "RETAILER EGYPTIAN COTTON 400 THREAD COUNT DUVET COVER", 60, ["SINGLE", "DOUBLE", "KING SIZE"], 20, 2);
        Add(linen, "RETAILER", "RETAILER HUNGARIAN GOOSE DOWN DUVET 10 5 TOG KING", 299, 1);
        Add(linen, "RETAILER", "RETAILER SOFT TOUCH PILLOWS PAIR", 25, 2);
        Add(linen, "RETAILER", "RETAILER WATERPROOF MATTRESS PROTECTOR DOUBLE", 35, 1.5);

        var lighting = Category("LIGHTING", CategoryRole.Accessory, 1.5, 1.5, 0.0);
        Add(lighting, "PHILIPS", "PHILIPS HUE WHITE AND COLOUR AMBIANCE STARTER KIT E27", 149, 1.5, 0.15);
        Add(lighting, "RETAILER", "RETAILER ARC FLOOR LAMP BRUSHED STEEL", 129, 1.2);
        Add(lighting, "RETAILER", "RETAILER GLASS TABLE LAMP PAIR", 79, 1.2);

        var toys = Category("TOYS", CategoryRole.Accessory, 1, 1.2, 0.1);
        Add(toys, "LEGO", "LEGO TECHNIC FERRARI DAYTONA SP3 42143", 399, 0.6, 0.3);
        Add(toys, "LEGO", "LEGO STAR WARS MILLENNIUM FALCON 75257", 149, 1, 0.2);
        Add(toys, "HORNBY", "HORNBY FLYING SCOTSMAN TRAIN SET", 199, 0.5, 0.05);

        var beauty = Category("HEALTH BEAUTY ELECTRICAL", CategoryRole.Accessory, 2, 2, 0.2);
        Add(beauty, "DYSON", "DYSON AIRWRAP MULTI-STYLER COMPLETE LONG", 479, 1.5, 0.6);
        Add(beauty, "DYSON", "DYSON SUPERSONIC HAIR DRYER", 299, 1.2, 0.5);
        Add(beauty, "GHD", "GHD PLATINUM PLUS HAIR STRAIGHTENER", 209, 1.5, 0.3);
        Add(beauty, "PHILIPS", "PHILIPS SONICARE DIAMONDCLEAN 9000 TOOTHBRUSH", 249, 1, 0.2);
        Add(beauty, "BRAUN", "BRAUN SERIES 9 PRO ELECTRIC SHAVER", 299, 1, 0.25);

        var cables = Category("POWER CABLES ADAPTERS", CategoryRole.Accessory, 0, 0, 0.0);
        Add(cables, "APPLE", "APPLE USB-C TO LIGHTNING CABLE 1M", 19, 3);
        Add(cables, "APPLE", "APPLE 20W USB-C POWER ADAPTER", 19, 3);
        Add(cables, "BELKIN", "BELKIN BOOSTCHARGE PRO 3 IN 1 MAGSAFE CHARGER", 129, 1, 0.2);
        Add(cables, "ANKER", "ANKER POWERCORE 20000MAH POWER BANK", 49, 1.5, 0.1);
        Add(cables, "RETAILER", "RETAILER HDMI CABLE 2M", 15, 2);

        var cases = Category("PHONE CASES SCREEN PROTECTION", CategoryRole.Accessory, 0, 0, 0.0);
        Add(cases, "APPLE", "APPLE IPHONE 15 PRO SILICONE CASE WITH MAGSAFE", 49, 3);
        Add(cases, "APPLE", "APPLE IPHONE 15 CLEAR CASE WITH MAGSAFE", 49, 2);
        Add(cases, "OTTERBOX", "OTTERBOX DEFENDER SERIES CASE", 45, 1);
        Add(cases, "ZAGG", "ZAGG INVISIBLESHIELD GLASS ELITE SCREEN PROTECTOR", 30, 2);
        Add(cases, "APPLE", "APPLE SMART FOLIO FOR IPAD", 79, 1.5);

        var software = Category("COMPUTER SOFTWARE", CategoryRole.Accessory, 0, 0, 0.0);
        Add(software, "MICROSOFT", "MICROSOFT 365 PERSONAL 12 MONTH SUBSCRIPTION", 70, 3);
        Add(software, "MICROSOFT", "MICROSOFT 365 FAMILY 12 MONTH SUBSCRIPTION", 100, 2);
        Add(software, "NORTON", "NORTON 360 DELUXE 5 DEVICES 12 MONTHS", 35, 1.5);

        var warranty = Category("WARRANTY", CategoryRole.Warranty, 0, 0, 0.0);
        Add(warranty, "RETAILER", "RETAILER 2 YEAR CARE PLAN", 49, 3);
        Add(warranty, "RETAILER", "RETAILER 3 YEAR CARE PLAN", 99, 2);
        Add(warranty, "RETAILER", "RETAILER 5 YEAR CARE PLAN", 149, 1);
        Add(warranty, "APPLE", "APPLECARE PLUS FOR MAC", 279, 1);
        Add(warranty, "APPLE", "APPLECARE PLUS FOR IPHONE", 199, 1);

        var fulfilment = Category("FULFILMENT CHARGE", CategoryRole.Fulfilment, 0, 0, 0.0);
        Add(fulfilment, "RETAILER", "RETAILER STANDARD DELIVERY", 0, 3);
        Add(fulfilment, "RETAILER", "RETAILER NEXT DAY DELIVERY", 7, 2);
        Add(fulfilment, "RETAILER", "RETAILER NOMINATED DAY DELIVERY", 10, 1);
        Add(fulfilment, "RETAILER", "RETAILER TWO MAN DELIVERY", 35, 1);

        var service = Category("SERVICE", CategoryRole.Service, 0, 0, 0.0);
        Add(service, "RETAILER", "RETAILER TV WALL MOUNTING AND SET UP", 149, 1);
        Add(service, "RETAILER", "RETAILER REMOVAL AND RECYCLING OF OLD APPLIANCE", 25, 1.5);
        Add(service, "RETAILER", "RETAILER APPLIANCE INSTALLATION", 40, 1.5);
        Add(service, "RETAILER", "RETAILER TECH SET UP SERVICE", 49, 1);
        Add(service, "RETAILER", "RETAILER FURNITURE ASSEMBLY SERVICE", 59, 1);
    }
}
