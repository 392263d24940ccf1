package seed

// The synthetic population: locales with their names, phone numbers, email
// domains and favourite channels. Name lists are "|"-separated; an entry is
// "Native" or "Native:ascii" (the ascii spelling is used for email
// addresses; for Latin names it is derived from the search key). Family
// names of languages that inflect them by gender are written
// "Masculine/Feminine:masc/fem".
//
// Email domains are all under the reserved .example TLD (RFC 2606), so a
// seeded database can never mail a real mailbox.

type localeSpec struct {
	name     string
	weight   int
	male     string
	female   string
	last     string
	phones   []phoneSpec
	domains  []string
	channels []int // weights in followup.Channels order; a channel past the end gets none
}

// phoneSpec is a country calling code and the national prefixes its mobile
// numbers start with; numbers are prefix + 8 digits derived from the
// contact id.
type phoneSpec struct {
	cc       string
	weight   int
	prefixes []string
}

// Channel weights, in followup.Channels order:
// whatsapp messenger instagram viber wechat telegram line webchat sms email
var localeSpecs = []localeSpec{
	{
		name: "en", weight: 28,
		male:   "James|John|Robert|Michael|William|David|Richard|Joseph|Thomas|Charles|Christopher|Daniel|Matthew|Anthony|Mark|Liam|Noah|Oliver|Ethan|Jack|Harry|George|Jacob|Samuel|Henry|Ryan|Kevin|Brian|Jason|Eric",
		female: "Mary|Patricia|Jennifer|Linda|Elizabeth|Barbara|Susan|Jessica|Sarah|Karen|Nancy|Lisa|Betty|Margaret|Sandra|Emily|Olivia|Emma|Ava|Sophia|Chloe|Zoë|Renée|Chloë|Jane|Amelia|Isla|Grace|Hannah|Abigail",
		last:   "Smith|Johnson|Williams|Brown|Jones|Miller|Davis|Wilson|Anderson|Taylor|Thomas|Moore|Jackson|Martin|Lee|Thompson|White|Harris|Clark|Lewis|Robinson|Walker|Young|Allen|King|Wright|Scott|Hill|Green|Adams|Baker|Nelson|Carter|Mitchell|Roberts|Turner|Phillips|Campbell|Parker|Evans|Edwards|Collins|Stewart|Morris|Murphy|Cook|Rogers|Morgan|O'Brien|O'Connor|Doe|Kelly|Hughes|Wood|Price|Bennett|Fitzgerald|McDonald",
		phones: []phoneSpec{
			{"1", 70, []string{"20", "21", "30", "31", "41", "51", "61", "64", "70", "71", "72", "81", "90", "91"}},
			{"44", 25, []string{"74", "75", "77", "78", "79"}},
			{"61", 5, []string{"4"}},
		},
		domains:  []string{"gmail.example", "outlook.example", "yahoo.example", "icloud.example", "hotmail.example", "acme-corp.example", "fastmail.example"},
		channels: []int{30, 25, 20, 2, 1, 5, 1, 15, 25, 35},
	},
	{
		name: "es", weight: 12,
		male:   "José|Juan|Luis|Jorge|Javier|Alejandro|Diego|Carlos|Andrés|Raúl|Íñigo|Ramón|Álvaro|Nicolás|Sebastián|Ángel|Manuel|Francisco|Pablo|Sergio",
		female: "María|Ana|Carmen|Lucía|Sofía|Martina|Paula|Valentina|Inés|Begoña|Dolores|Concepción|Mónica|Pilar|Ximena|Guadalupe|Elena|Rocío|Nuria|Marta",
		last:   "García|Fernández|González|Rodríguez|López|Martínez|Sánchez|Pérez|Gómez|Martín|Jiménez|Ruiz|Hernández|Díaz|Moreno|Muñoz|Álvarez|Romero|Alonso|Gutiérrez|Navarro|Torres|Domínguez|Vázquez|Ramos|Gil|Ramírez|Serrano|Blanco|Suárez|Castillo|Ortega|Núñez|Peña|Ibáñez|Delgado|Castro|Ortiz",
		phones: []phoneSpec{
			{"34", 55, []string{"6", "7"}},
			{"52", 30, []string{"55", "33", "81", "22"}},
			{"54", 15, []string{"911", "935"}},
		},
		domains:  []string{"gmail.example", "hotmail.example", "yahoo.example", "correo.example", "telefonica.example", "outlook.example"},
		channels: []int{50, 20, 20, 3, 1, 8, 1, 10, 8, 25},
	},
	{
		name: "pt", weight: 9,
		male:   "João|Pedro|Lucas|Gabriel|Mateus|Thiago|Antônio|Gonçalo|Sebastião|Rafael|Caio|Tomás|Vinícius|Luís|Marcelo",
		female: "Maria|Ana|Beatriz|Júlia|Larissa|Camila|Letícia|Vitória|Luíza|Conceição|Inês|Fernanda|Bruna|Lívia|Mariana",
		last:   "Silva|Santos|Oliveira|Souza|Rodrigues|Ferreira|Alves|Pereira|Lima|Gomes|Costa|Ribeiro|Martins|Carvalho|Araújo|Melo|Barbosa|Cardoso|Rocha|Dias|Nascimento|Magalhães|Gonçalves|Simões|Leão|Brandão|Assunção|Figueiredo",
		phones: []phoneSpec{
			{"55", 75, []string{"119", "219", "319", "419", "519", "619", "719", "819"}},
			{"351", 25, []string{"9"}},
		},
		domains:  []string{"gmail.example", "hotmail.example", "uol.example", "sapo.example", "outlook.example", "bol.example"},
		channels: []int{55, 20, 22, 2, 1, 8, 1, 10, 8, 20},
	},
	{
		name: "fr", weight: 8,
		male:   "Jean|Pierre|Louis|Hugo|Gabriel|Théo|Émile|François|Jérôme|Noël|Loïc|Benoît|Raphaël|Mathéo|Clément",
		female: "Marie|Camille|Léa|Chloé|Zoé|Manon|Inès|Hélène|Françoise|Céline|Anaïs|Gaëlle|Amélie|Élodie|Maëlys",
		last:   "Martin|Bernard|Dubois|Thomas|Robert|Richard|Petit|Durand|Leroy|Moreau|Simon|Laurent|Lefèvre|Michel|David|Bertrand|Roux|Vincent|Fournier|Girard|Bonnet|Dupont|Lambert|Fontaine|Rousseau|Mercier|Boucher|Chevalier|Béranger|Côté|Gauthier|Brunet",
		phones: []phoneSpec{
			{"33", 85, []string{"6", "7"}},
			{"32", 15, []string{"4"}},
		},
		domains:  []string{"gmail.example", "orange.example", "free.example", "laposte.example", "sfr.example", "outlook.example"},
		channels: []int{35, 20, 15, 5, 1, 8, 1, 15, 10, 35},
	},
	{
		name: "de", weight: 8,
		male:   "Lukas|Jonas|Leon|Felix|Maximilian|Jürgen|Jörg|Günter|Björn|Sören|Uwe|Klaus|Hans|Dieter|Lennart|Matthias|Florian|Tobias",
		female: "Anna|Lena|Hannah|Lea|Mia|Käthe|Sabine|Ursula|Frauke|Mathilda|Jülide|Lärke|Annegret|Johanna|Marlene|Greta",
		last:   "Müller|Schmidt|Schneider|Fischer|Weber|Meyer|Wagner|Becker|Schulz|Hoffmann|Schäfer|Koch|Bauer|Richter|Klein|Wolf|Schröder|Neumann|Schwarz|Zimmermann|Braun|Krüger|Hofmann|Hartmann|Lange|Schmitt|Werner|Krause|Köhler|Groß|Weiß|Jäger|Böhm|Vogel|Günther|Strauß|Möller",
		phones: []phoneSpec{
			{"49", 80, []string{"151", "152", "157", "160", "162", "170", "171", "172", "173", "175", "176", "177", "178", "179"}},
			{"43", 10, []string{"664", "676", "699"}},
			{"41", 10, []string{"7"}},
		},
		domains:  []string{"gmx.example", "web.example", "t-online.example", "gmail.example", "posteo.example", "outlook.example"},
		channels: []int{40, 15, 12, 4, 1, 10, 1, 15, 10, 40},
	},
	{
		name: "pl", weight: 5,
		male:   "Łukasz|Jakub|Kacper|Michał|Paweł|Piotr|Krzysztof|Tomasz|Wojciech|Jędrzej|Stanisław|Zbigniew|Wiesław|Mikołaj",
		female: "Małgorzata|Agnieszka|Katarzyna|Anna|Zofia|Żaneta|Bożena|Grażyna|Jolanta|Dorota|Łucja|Magdalena|Alicja|Wiktoria",
		last:   "Nowak|Kowalski/Kowalska|Wiśniewski/Wiśniewska|Wójcik|Kowalczyk|Kamiński/Kamińska|Lewandowski/Lewandowska|Zieliński/Zielińska|Szymański/Szymańska|Woźniak|Dąbrowski/Dąbrowska|Kozłowski/Kozłowska|Jankowski/Jankowska|Mazur|Kwiatkowski/Kwiatkowska|Krawczyk|Piotrowski/Piotrowska|Grabowski/Grabowska|Pawłowski/Pawłowska|Michalski/Michalska|Król|Wieczorek|Jabłoński/Jabłońska|Wróbel|Górski/Górska|Żak|Łuczak|Sikora",
		phones: []phoneSpec{
			{"48", 100, []string{"5", "6", "7", "8"}},
		},
		domains:  []string{"wp.example", "onet.example", "interia.example", "gmail.example", "o2.example"},
		channels: []int{30, 25, 15, 10, 1, 5, 1, 15, 15, 35},
	},
	{
		name: "nordic", weight: 4,
		male:   "Søren|Bjørn|Øyvind|Lars|Nils|Anders|Mikael|Håkan|Jörgen|Göran|Kjell|Torbjörn|Magnus|Mads|Ásgeir",
		female: "Åsa|Ingrid|Astrid|Sigrid|Linnéa|Elin|Märta|Ragnhild|Maja|Freja|Ida|Sólveig|Björk|Liv|Æsa",
		last:   "Hansen|Johansen|Nielsen|Jensen|Pedersen|Andersen|Larsen|Sørensen|Kristiansen|Johansson|Andersson|Karlsson|Nilsson|Eriksson|Larsson|Olsson|Persson|Svensson|Gustafsson|Lindqvist|Bergström|Åberg|Öberg|Lindström|Sjöberg|Håkansson|Østergaard|Bjørnstad|Dahl|Berg|Haugen|Holm|Jónsdóttir",
		phones: []phoneSpec{
			{"46", 45, []string{"7"}},
			{"47", 25, []string{"4", "9"}},
			{"45", 30, []string{"2", "3", "4", "5"}},
		},
		domains:  []string{"gmail.example", "telia.example", "outlook.example", "online.example", "hotmail.example"},
		channels: []int{30, 25, 20, 3, 1, 8, 1, 20, 10, 40},
	},
	{
		name: "it", weight: 4,
		male:   "Giuseppe|Giovanni|Francesco|Alessandro|Lorenzo|Matteo|Niccolò|Andrea|Mattia|Leonardo",
		female: "Sofia|Giulia|Aurora|Chiara|Ludovica|Federica|Alessia|Martina|Beatrice|Gaia",
		last:   "Rossi|Russo|Ferrari|Esposito|Bianchi|Romano|Colombo|Ricci|Marino|Greco|Bruno|Gallo|Conti|De Luca|Mancini|Costa|Giordano|Rizzo|Lombardi|Moretti|D'Angelo|Galli|Caruso|Fabbri",
		phones: []phoneSpec{
			{"39", 100, []string{"32", "33", "34", "35", "36", "37", "38", "39"}},
		},
		domains:  []string{"gmail.example", "libero.example", "virgilio.example", "tiscali.example", "outlook.example"},
		channels: []int{60, 15, 20, 3, 1, 6, 1, 10, 8, 20},
	},
	{
		name: "ru", weight: 8,
		male:   "Дмитрий:dmitry|Александр:alexander|Сергей:sergey|Андрей:andrey|Алексей:alexey|Иван:ivan|Михаил:mikhail|Николай:nikolay|Артём:artyom|Фёдор:fyodor|Пётр:pyotr|Олександр:oleksandr|Богдан:bohdan|Юрий:yuri|Владимир:vladimir",
		female: "Ольга:olga|Елена:elena|Наталья:natalya|Татьяна:tatyana|Анна:anna|Мария:maria|Екатерина:ekaterina|Юлия:yulia|Алёна:alyona|Ксения:ksenia|Оксана:oksana|Светлана:svetlana|Ирина:irina|Дарья:darya|Анастасия:anastasia",
		last:   "Иванов/Иванова:ivanov/ivanova|Смирнов/Смирнова:smirnov/smirnova|Кузнецов/Кузнецова:kuznetsov/kuznetsova|Попов/Попова:popov/popova|Васильев/Васильева:vasiliev/vasilieva|Петров/Петрова:petrov/petrova|Соколов/Соколова:sokolov/sokolova|Михайлов/Михайлова:mikhailov/mikhailova|Новиков/Новикова:novikov/novikova|Фёдоров/Фёдорова:fedorov/fedorova|Морозов/Морозова:morozov/morozova|Волков/Волкова:volkov/volkova|Алексеев/Алексеева:alekseev/alekseeva|Лебедев/Лебедева:lebedev/lebedeva|Семёнов/Семёнова:semenov/semenova|Егоров/Егорова:egorov/egorova|Павлов/Павлова:pavlov/pavlova|Козлов/Козлова:kozlov/kozlova|Степанов/Степанова:stepanov/stepanova|Николаев/Николаева:nikolaev/nikolaeva|Шевченко:shevchenko|Коваленко:kovalenko|Бондаренко:bondarenko|Ткаченко:tkachenko|Орлов/Орлова:orlov/orlova",
		phones: []phoneSpec{
			{"7", 75, []string{"90", "91", "92", "95", "96", "98"}},
			{"380", 25, []string{"5", "6", "9"}},
		},
		domains:  []string{"yandex.example", "mail-ru.example", "gmail.example", "rambler.example", "ukr.example"},
		channels: []int{25, 5, 15, 30, 1, 45, 1, 10, 10, 20},
	},
	{
		name: "zh", weight: 6,
		male:   "小明:xiaoming|伟:wei|强:qiang|磊:lei|军:jun|勇:yong|杰:jie|涛:tao|明:ming|超:chao|刚:gang|浩然:haoran|梓轩:zixuan|建华:jianhua|志强:zhiqiang",
		female: "芳:fang|娜:na|秀英:xiuying|敏:min|静:jing|丽:li|艳:yan|娟:juan|秀兰:xiulan|霞:xia|桂英:guiying|子涵:zihan|雨桐:yutong|欣怡:xinyi|婷:ting",
		last:   "王:wang|李:li|张:zhang|刘:liu|陈:chen|杨:yang|黄:huang|赵:zhao|吴:wu|周:zhou|徐:xu|孙:sun|马:ma|朱:zhu|胡:hu|郭:guo|何:he|林:lin|高:gao|罗:luo|欧阳:ouyang|司马:sima",
		phones: []phoneSpec{
			{"86", 85, []string{"130", "131", "135", "136", "138", "139", "150", "152", "158", "159", "186", "188"}},
			{"886", 15, []string{"9"}},
		},
		domains:  []string{"qq.example", "163.example", "126.example", "sina.example", "gmail.example"},
		channels: []int{8, 2, 3, 1, 60, 3, 2, 10, 12, 15},
	},
	{
		name: "ja", weight: 4,
		male:   "太郎:taro|翔太:shota|蓮:ren|陽翔:haruto|大翔:hiroto|健太:kenta|拓海:takumi|悠真:yuma|直樹:naoki|誠:makoto",
		female: "花子:hanako|結衣:yui|陽菜:hina|美咲:misaki|さくら:sakura|葵:aoi|凛:rin|優子:yuko|恵:megumi|由美:yumi",
		last:   "佐藤:sato|鈴木:suzuki|高橋:takahashi|田中:tanaka|伊藤:ito|渡辺:watanabe|山本:yamamoto|中村:nakamura|小林:kobayashi|加藤:kato|吉田:yoshida|山田:yamada|佐々木:sasaki|山口:yamaguchi|松本:matsumoto|井上:inoue|木村:kimura|林:hayashi|斎藤:saito|清水:shimizu",
		phones: []phoneSpec{
			{"81", 100, []string{"70", "80", "90"}},
		},
		domains:  []string{"docomo.example", "ezweb.example", "softbank.example", "gmail.example", "yahoo-jp.example"},
		channels: []int{5, 5, 15, 1, 2, 3, 60, 10, 5, 20},
	},
	{
		name: "ko", weight: 2,
		male:   "민준:minjun|서준:seojun|도윤:doyun|지훈:jihoon|현우:hyunwoo",
		female: "서연:seoyeon|지우:jiwoo|하은:haeun|수아:sua|지민:jimin",
		last:   "김:kim|이:lee|박:park|최:choi|정:jung|강:kang|조:cho|윤:yoon",
		phones: []phoneSpec{
			{"82", 100, []string{"10"}},
		},
		domains:  []string{"naver.example", "daum.example", "gmail.example"},
		channels: []int{10, 5, 20, 1, 2, 5, 25, 15, 20, 25},
	},
	{
		name: "ar", weight: 3,
		male:   "محمد:mohammed|أحمد:ahmed|علي:ali|عمر:omar|يوسف:youssef|خالد:khaled|حسن:hassan|كريم:karim",
		female: "فاطمة:fatima|مريم:maryam|نور:nour|ليلى:layla|سارة:sara|هدى:huda|رنا:rana|زينب:zainab",
		last:   "العلي:alali|الحسن:alhassan|حداد:haddad|خوري:khoury|منصور:mansour|سالم:salem|عبدالله:abdullah|ناصر:nasser|الشامي:alshami|قاسم:qasim|الفارس:alfaris|يوسف:youssef",
		phones: []phoneSpec{
			{"966", 35, []string{"5"}},
			{"971", 35, []string{"5"}},
			{"20", 30, []string{"10", "11", "12"}},
		},
		domains:  []string{"gmail.example", "hotmail.example", "yahoo.example", "outlook.example"},
		channels: []int{60, 20, 20, 5, 1, 10, 1, 10, 10, 15},
	},
	{
		name: "el", weight: 2,
		male:   "Γιώργος:giorgos|Δημήτρης:dimitris|Νίκος:nikos|Γιάννης:giannis|Κώστας:kostas|Παναγιώτης:panagiotis",
		female: "Μαρία:maria|Ελένη:eleni|Κατερίνα:katerina|Σοφία:sofia|Άννα:anna|Δέσποινα:despoina",
		last:   "Παπαδόπουλος/Παπαδοπούλου:papadopoulos/papadopoulou|Βλάχος/Βλάχου:vlachos/vlachou|Ιωάννου:ioannou|Γεωργίου:georgiou|Νικολάου:nikolaou|Οικονόμου:oikonomou|Παππάς/Παππά:pappas/pappa|Μακρής/Μακρή:makris/makri",
		phones: []phoneSpec{
			{"30", 100, []string{"69"}},
		},
		domains:  []string{"gmail.example", "yahoo-gr.example", "otenet.example", "hotmail.example"},
		channels: []int{35, 25, 15, 25, 1, 5, 1, 10, 10, 25},
	},
}
